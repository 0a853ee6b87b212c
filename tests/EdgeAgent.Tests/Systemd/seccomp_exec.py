"""Runs a command under a seccomp allow-list, as systemd does for SystemCallFilter= with SystemCallErrorNumber=EPERM.

usage: seccomp_exec.py ALLOWED_SYSCALLS_FILE COMMAND [ARG...]

Every system call named in the file (one a line; names this architecture lacks are skipped) is allowed, any other
fails with EPERM. libseccomp (libseccomp2, which systemd itself depends on) through ctypes: no Python package needed.
The filter also sets no_new_privs, as NoNewPrivileges=yes does. Then it execs the command.
"""
import ctypes
import os
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
EPERM = 1
SCMP_ACT_ERRNO_EPERM = 0x00050000 | EPERM

seccomp = ctypes.CDLL("libseccomp.so.2", use_errno=True)
seccomp.seccomp_init.restype = ctypes.c_void_p
seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
seccomp.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
seccomp.seccomp_load.argtypes = [ctypes.c_void_p]

context = seccomp.seccomp_init(SCMP_ACT_ERRNO_EPERM)
with open(sys.argv[1]) as allowed:
    for name in allowed.read().split():
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            continue
        result = seccomp.seccomp_rule_add(context, SCMP_ACT_ALLOW, number, 0)
        if result not in (0, -17):  # -EEXIST: named twice
            sys.exit(f"seccomp_exec: cannot allow {name}: {result}")
if seccomp.seccomp_load(context) != 0:
    sys.exit("seccomp_exec: seccomp_load failed")
os.execvp(sys.argv[2], sys.argv[2:])
