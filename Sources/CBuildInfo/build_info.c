// The build's commit and date, passed in by Package.swift as defines from the Makefile's environment.
// A C file of its own so that a new commit recompiles these two functions and relinks, and nothing else:
// Swift code given the values as compiler flags would all be rebuilt.
#include "build_info.h"

#ifndef EKS_AUTH_COMMIT
#define EKS_AUTH_COMMIT "unknown"
#endif
#ifndef EKS_AUTH_BUILD_DATE
#define EKS_AUTH_BUILD_DATE "unknown"
#endif

const char *eks_auth_build_commit(void) { return EKS_AUTH_COMMIT; }

const char *eks_auth_build_date(void) { return EKS_AUTH_BUILD_DATE; }
