# eks-auth: a kubectl exec credential plugin for Amazon EKS.
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
PYTHON ?= python3
STRIP ?= strip
# What `eks-auth --version` reports (Package.swift compiles them in): the commit, and the date reproducible
# builds use, SOURCE_DATE_EPOCH (by default the commit's time). Outside a git checkout both say "unknown".
EKS_AUTH_COMMIT ?= $(shell git describe --always --dirty --abbrev=12 2>/dev/null)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
EKS_AUTH_BUILD_DATE ?= $(if $(SOURCE_DATE_EPOCH),$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ 2>/dev/null))
export EKS_AUTH_COMMIT SOURCE_DATE_EPOCH EKS_AUTH_BUILD_DATE
# Every target may import only the targets it declares: the layers are enforced, not only drawn.
IMPORT_CHECK = --explicit-target-dependency-import-check error
# --quiet keeps the compiler's and linker's diagnostics (ours) and drops SwiftPM's progress lines and its notes on
# how a dependency is packaged (swift-distributed-tracing's unlisted CMakeLists.txt), which we cannot act on. V=1 shows all.
QUIET = $(if $(V),,--quiet)
RELEASE_FLAGS = -c release --static-swift-stdlib $(IMPORT_CHECK) $(QUIET)
LAYERS = EKSAuthSystem YAMLDocument AWSSigning AWSConfiguration AWSTransport EKSAuthCore EKSAuthCommandLine EKSAuthTestSupport
BIN = .build/release/eks-auth
# make fuzz: seconds per fuzz target; make sanitize: the most each sanitized test run may take.
FUZZ_SECONDS ?= 60
SANITIZE_SECONDS ?= 1800

.DEFAULT_GOAL := help
.PHONY: help deps test-deps build test layers unit-test integration-test install uninstall demo bench lint fuzz sanitize clean

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# `$(call apt,PACKAGES)`: installs PACKAGES with apt as root; anyone else is told what to install, so that
# nothing asks for root (or runs apt or sudo) when everything is there already.
apt = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else echo "make: missing $(1); install with: sudo apt-get install $(1)" >&2; exit 1; fi
# `$(call ensure,PACKAGES)`: installs those of PACKAGES that are not installed (`dpkg -s` alone also succeeds
# for a removed package whose configuration files remain).
ensure = missing="$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q ' ok installed' \
	|| printf ' %s' $$p; done)"; missing="$${missing\# }"; [ -z "$$missing" ] || { $(call apt,$$missing); }

deps: ## Install the build dependencies (libssl-dev, libyaml-dev; g++ for libstdc++.a, linked statically) when missing
	@$(call ensure,libssl-dev libyaml-dev)
	@# The path the toolchain's linker finds libstdc++.a at (a Swift toolchain may come without gcc).
	@test -f "$$(clang -print-file-name=libstdc++.a 2>/dev/null)" || \
		test -f "$$(gcc -print-file-name=libstdc++.a 2>/dev/null)" || { $(call apt,g++); }

test-deps: deps ## Install what the tests need: moto[server], botocore, awscli, pytest, proxy.py, kubectl, faketime, lintian, shells
	@$(PYTHON) -c 'import moto.server, botocore, pytest, flask' 2>/dev/null || \
		$(PYTHON) -m pip install -q 'moto[server]' botocore pytest
	@command -v aws >/dev/null 2>&1 || $(PYTHON) -m pip install -q awscli
	@$(PYTHON) -c 'import proxy' 2>/dev/null || $(PYTHON) -m pip install -q 'proxy.py==2.4.10'
	@command -v kubectl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq kubernetes-client; }
	@command -v openssl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssl; }
	@command -v faketime >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq faketime; }
	@# Packaging and completion tests: dpkg-shlibdeps, lintian, the three shells, man's warnings (groff).
	@$(call ensure,dpkg-dev lintian bash-completion zsh fish man-db groff-base)

build: deps ## Build the release binary (static Swift standard library) at .build/release/eks-auth
	$(SWIFT) build $(RELEASE_FLAGS)

test: test-deps build ## Run every test: Swift unit and CLI tests, then the integration suite (moto, botocore, kubectl)
	$(SWIFT) test $(IMPORT_CHECK)
	@$(MAKE) --no-print-directory layers
	EKS_AUTH_BIN=$(CURDIR)/$(BIN) $(PYTHON) -m pytest -q -p no:cacheprovider Tests/Integration \
		--junitxml=.build/integration-junit.xml
	$(PYTHON) scripts/check-junit.py .build/integration-junit.xml

layers: ## Build each library target on its own (each compiles with only the layers below it)
	@for target in $(LAYERS); do \
		$(SWIFT) build $(IMPORT_CHECK) --target $$target >/dev/null || { echo "layers: $$target does not build alone" >&2; exit 1; }; \
		echo "layers: $$target builds alone"; \
	done

# Packaging: man pages and completions are made from the built binary's own help (scripts/package.sh).
.PHONY: share deb dist package-test
# The package version: EKSAuthVersion.current.
VERSION := $(shell sed -n 's/^ *public static let current = "\([^"]*\)".*/\1/p' Sources/EKSAuthSystem/EKSAuthVersion.swift)
# Where `make share` puts the man pages and completions, and `make deb`/`make dist` the packages.
SHARE_BUILD ?= .build/share
DIST_DIR ?= .build/dist
# Installed files' mtimes and the man pages' date: the last commit's time, so builds are reproducible.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
BINDIR = $(PREFIX)/bin
MAN1DIR = $(PREFIX)/share/man/man1
BASH_COMPLETION_DIR = $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETION_DIR = $(PREFIX)/share/zsh/site-functions
FISH_COMPLETION_DIR = $(PREFIX)/share/fish/vendor_completions.d

share: build ## Generate the man pages (eks-auth.1, eks-auth-COMMAND.1) and bash/zsh/fish completions into .build/share
	@rm -rf $(SHARE_BUILD)
	@PYTHON=$(PYTHON) VERSION=$(VERSION) scripts/package.sh share $(BIN) $(SHARE_BUILD)

install: build share ## Install eks-auth (stripped), its man pages and completions under DESTDIR+PREFIX (no root for a PREFIX of yours)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASH_COMPLETION_DIR) \
		$(DESTDIR)$(ZSH_COMPLETION_DIR) $(DESTDIR)$(FISH_COMPLETION_DIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/eks-auth
	$(STRIP) $(DESTDIR)$(BINDIR)/eks-auth
	install -m 0644 $(SHARE_BUILD)/share/man/man1/eks-auth*.1 $(DESTDIR)$(MAN1DIR)/
	install -m 0644 $(SHARE_BUILD)/share/bash-completion/completions/eks-auth $(DESTDIR)$(BASH_COMPLETION_DIR)/eks-auth
	install -m 0644 $(SHARE_BUILD)/share/zsh/site-functions/_eks-auth $(DESTDIR)$(ZSH_COMPLETION_DIR)/_eks-auth
	install -m 0644 $(SHARE_BUILD)/share/fish/vendor_completions.d/eks-auth.fish $(DESTDIR)$(FISH_COMPLETION_DIR)/eks-auth.fish

uninstall: ## Remove exactly what install put under DESTDIR+PREFIX
	rm -f $(DESTDIR)$(BINDIR)/eks-auth $(DESTDIR)$(MAN1DIR)/eks-auth.1 $(DESTDIR)$(MAN1DIR)/eks-auth-*.1 \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/eks-auth $(DESTDIR)$(ZSH_COMPLETION_DIR)/_eks-auth \
		$(DESTDIR)$(FISH_COMPLETION_DIR)/eks-auth.fish

deb: build ## Build .build/dist/eks-auth_VERSION_ARCH.deb (binary, man pages, completions, docs) with dpkg-deb
	@$(call ensure,dpkg-dev)
	@PYTHON=$(PYTHON) VERSION=$(VERSION) scripts/package.sh deb $(BIN) $(DIST_DIR)

dist: build ## Build .build/dist/eks-auth-VERSION-linux-ARCH.tar.gz (laid out as a PREFIX) and its .sha256
	@PYTHON=$(PYTHON) VERSION=$(VERSION) scripts/package.sh dist $(BIN) $(DIST_DIR)

package-test: test-deps build ## Build the .deb and tarball, lintian, install into a fresh root and run there; completions in bash/zsh/fish
	EKS_AUTH_BIN=$(CURDIR)/$(BIN) $(PYTHON) -m pytest -q -p no:cacheprovider \
		Tests/Integration/test_package.py Tests/Integration/test_completions.py

demo: build ## Make a token for the example cluster from the documented example keys and take it apart
	@scripts/demo.sh $(BIN)

bench: build ## Time eks-auth against aws eks get-token; count its instructions (callgrind) and installed size
	@scripts/bench.sh $(BIN)

fuzz: deps ## Build the libFuzzer targets (ASan) into .build-fuzz and run each FUZZ_SECONDS (60) from Tests/Fuzz/Corpus
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) scripts/fuzz.sh

# The unit suites (the CLI suite runs .build/debug/eks-auth, not a sanitized build, so it is skipped here);
# Swift Testing only (there are no XCTest cases); leaks inside the toolchain's libraries are suppressed.
# swiftc has no -sanitize=undefined (Swift traps on overflow, bounds and nil unwraps anyway), so for UBSan
# the C code underneath (libyaml, the C shims) is built with clang's -fsanitize=undefined, stopping at the
# first report, and the tests link its runtime.
SANITIZE_TEST = timeout $(SANITIZE_SECONDS) nice -n 10 $(SWIFT) test --disable-xctest --skip EKSAuthCLITests
UBSAN_FLAGS = -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
	-Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined
sanitize: deps ## Run the unit tests once under AddressSanitizer (.build-asan), once under UBSan (.build-ubsan)
	LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt \
		$(SANITIZE_TEST) --scratch-path .build-asan --sanitize=address
	UBSAN_OPTIONS=print_stacktrace=1 $(SANITIZE_TEST) --scratch-path .build-ubsan $(UBSAN_FLAGS)

lint: ## Check formatting with swift-format
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

clean: ## Remove build products (the fuzz and sanitizer builds too)
	rm -rf .build .build-fuzz .build-asan .build-ubsan
