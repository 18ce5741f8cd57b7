/* SPDX-License-Identifier: Apache-2.0 */
/* Local storage maps must describe their key and value in BTF; ours is a plain byte array
 * the generated programs address by offset, so a three-type BTF object says so. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "task_storage.h"
#include "util.h"

int task_storage_create(uint32_t value_size, char *err, size_t err_size)
{
	struct btf *btf = btf__new_empty();
	int key_id, byte_id, array_id, value_id, r, fd;

	if (!btf) {
		util_errf(err, err_size, "task-local storage: out of memory");
		return -ENOMEM;
	}
	key_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	byte_id = btf__add_int(btf, "unsigned char", 1, 0);
	array_id = btf__add_array(btf, key_id, byte_id, value_size);
	value_id = btf__add_struct(btf, "ebpfpub_entry", value_size);
	r = key_id < 0 || byte_id < 0 || array_id < 0 || value_id < 0 ? -ENOMEM
		: btf__add_field(btf, "data", array_id, 0, 0);
	if (r == 0)
		r = btf__load_into_kernel(btf);
	if (r < 0) {
		r = r == -1 ? -errno : r;
		util_errf(err, err_size, "task-local storage: loading its BTF failed: %s",
			  strerror(-r));
		btf__free(btf);
		return r;
	}
	{
		LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = (uint32_t)btf__fd(btf),
			    .btf_key_type_id = (uint32_t)key_id,
			    .btf_value_type_id = (uint32_t)value_id,
			    .map_flags = BPF_F_NO_PREALLOC);

		fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, "ebpfpub_tasks", 4, value_size, 0,
				    &opts);
	}
	r = fd < 0 ? -errno : fd;
	btf__free(btf);   /* the map holds its own reference to the BTF */
	if (r < 0)
		util_errf(err, err_size,
			  "task-local storage (Linux 5.11+): creating the map failed: %s",
			  strerror(-r));
	return r;
}
