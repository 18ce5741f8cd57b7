/* SPDX-License-Identifier: Apache-2.0 */
/* The events' writer: one write(2) per batch instead of one per field. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "output.h"

int output_flush(struct outbuf *b, int fd)
{
	size_t done = 0;
	int err = 0;

	while (done < b->len) {
		ssize_t n = write(fd, b->data + done, b->len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			/* POLLERR/POLLHUP make the next write report the error. */
			if (poll(&p, 1, -1) < 0 && errno != EINTR) {
				err = -errno;
				break;
			}
			continue;
		}
		err = n < 0 ? -errno : -EIO;
		break;
	}
	b->len = 0;
	return err;
}

int output_writable(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return 0;
}
