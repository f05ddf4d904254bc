// C calls Swift cannot make directly (variadic ones), wrapped as static inline functions.
#ifndef EKS_AUTH_PLATFORM_SHIM_H
#define EKS_AUTH_PLATFORM_SHIM_H

#ifdef __linux__
#include <sys/prctl.h>

// prctl(2) PR_SET_DUMPABLE 0: no core dump (piped core patterns included), no ptrace by this user.
static inline int eks_auth_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
#else
static inline int eks_auth_set_not_dumpable(void) { return 0; }
#endif

#endif
