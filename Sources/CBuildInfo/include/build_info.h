#ifndef EKS_AUTH_BUILD_INFO_H
#define EKS_AUTH_BUILD_INFO_H

/// The commit the binary was built from (`git describe`-style, "-dirty" for a changed tree), or "unknown".
const char *eks_auth_build_commit(void);

/// When the built source was committed, RFC 3339 in UTC (SOURCE_DATE_EPOCH when set), or "unknown".
const char *eks_auth_build_date(void);

#endif
