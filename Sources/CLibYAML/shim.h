#ifndef EKS_AUTH_CLIBYAML_SHIM_H
#define EKS_AUTH_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
