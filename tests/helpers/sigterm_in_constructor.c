/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Preloaded into ebpftracer by test_ebpftracer.py: sends the process a SIGTERM from a
 * shared library's constructor, i.e. while LLVM's constructors run and before main(). That
 * is where a SIGTERM sent right after start lands; it must stop ebpftracer cleanly.
 */
#include <signal.h>
#include <unistd.h>

__attribute__((constructor)) static void sigterm_now(void)
{
	kill(getpid(), SIGTERM);
}
