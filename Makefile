# sftdyn: make, make check, make demo, make bench, make install.

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/sftdyn
SYSCONFDIR	?= /etc
STATEDIR	?= /var/lib/sftdyn
SYSTEMDUNITDIR	?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
DESTDIR		?=

VERSION		= 0.1.0
CC		?= cc
CFLAGS		?= -O2 -g
WARNINGS	= -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		  -Wshadow -Wpointer-arith -Wwrite-strings -Wformat=2 \
		  -Wcast-qual -Wundef -Wvla
ifeq ($(WERROR),1)
WARNINGS	+= -Werror
endif
# The libraries are the distribution's, as pkg-config finds them:
# libconfuse (the configuration), libcdb (tinycdb: the client index),
# Jansson (ACME's JSON bodies), nettle (SHA-256 of keys, the index's
# MACs) and, for sftdyn-tls, libtls.
PKGS		= libconfuse libcdb jansson nettle
CPPFLAGS	+= -D_GNU_SOURCE -DSFTDYN_VERSION=\"$(VERSION)\" \
		   $(shell pkg-config --cflags $(PKGS) libtls)
LIBS		= $(shell pkg-config --libs $(PKGS) libtls)
# A process starts for every connection: sftdyn is linked statically, as
# dynamic linking would cost more than the rest of a plain request, and
# without TLS, which lives in sftdyn-tls (sftdyn --tls runs it).
STATIC		= -static
# Each function and object in a section of its own, and those nothing
# uses dropped at the link: the handler's pages, touched at every
# connection, hold less that it never runs.
SECTIONS	= -ffunction-sections -fdata-sections
GC_SECTIONS	= -Wl,--gc-sections
PLAIN_LIBS	= $(shell pkg-config --libs --static $(PKGS))
TLS_LIBS	= $(shell pkg-config --libs --static $(PKGS) libtls)
# glibc warns that getpwnam and getpwuid (libconfuse's "~user"
# expansion, which sftdyn never uses), getaddrinfo (verify-dns's server,
# which works the same on a numeric address), dlopen and gethostbyname
# (libcrypto's engines and BIO, unused) need its shared libraries at run
# time in a static program.  Those warnings are dropped; whatever else
# the linker says is shown, and a failed link fails (ld's --no-warnings
# would hide undefined symbols as well).
LINK_FILTER	= 2>$@.err; rc=$$?; grep -v -e ': in function ' \
		  -e 'in statically linked applications requires at runtime' \
		  $@.err >&2; rm -f $@.err; exit $$rc
# make LIBRESSL=/opt/libressl: sftdyn-tls with LibreSSL's own libtls,
# libssl and libcrypto (a static build installed there) instead of
# Debian's libtls on OpenSSL 3, whose start-up costs most of a TLS
# connection (README, Performance).
ifneq ($(LIBRESSL),)
TLS_LIBS	= $(LIBRESSL)/lib/libtls.a $(LIBRESSL)/lib/libssl.a \
		  $(LIBRESSL)/lib/libcrypto.a $(PLAIN_LIBS) -lpthread
build/tls.o: CPPFLAGS += -I$(LIBRESSL)/include
endif

SRCS		= $(wildcard src/*.c)
OBJS		= $(SRCS:src/%.c=build/%.o)
PLAIN_OBJS	= $(filter-out build/tls.o,$(OBJS))
TLS_OBJS	= $(filter-out build/notls.o,$(OBJS))
LIBOBJS		= $(filter-out build/main.o build/tls.o,$(OBJS))
UNITS		= $(patsubst t/unit/%.c,build/t/%.t,$(wildcard t/unit/*.c))
ASAN		= -fsanitize=address,undefined -fno-omit-frame-pointer \
		  -fno-sanitize-recover=all

all: sftdyn sftdyn-tls

sftdyn: $(PLAIN_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(STATIC) $(GC_SECTIONS) -o $@ $(PLAIN_OBJS) \
	    $(PLAIN_LIBS) $(LINK_FILTER)

sftdyn-tls: $(TLS_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(STATIC) $(GC_SECTIONS) -o $@ $(TLS_OBJS) \
	    $(TLS_LIBS) $(LINK_FILTER)

# Objects depend on the flags they were built with: build/flags changes
# whenever the compiler or its flags do.
FLAGS_NOW	= $(CC) $(CPPFLAGS) $(CFLAGS) $(SECTIONS) $(WARNINGS) $(LDFLAGS)
build/flags: FORCE | build/.dirs
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' >$@

build/%.o: src/%.c src/sftdyn.h build/flags | build/.dirs
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SECTIONS) $(WARNINGS) -c -o $@ $<

build/t/%.t: t/unit/%.c t/unit/tap.h $(LIBOBJS) | build/.dirs
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(WARNINGS) -o $@ $< $(LIBOBJS) $(LIBS)

build/asan/sftdyn: $(filter-out src/notls.c,$(SRCS)) src/sftdyn.h build/flags | build/.dirs
	$(CC) $(CPPFLAGS) -O1 -g $(WARNINGS) $(ASAN) -o $@ \
	    $(filter-out src/notls.c,$(SRCS)) $(LIBS)

build/.dirs:
	mkdir -p build/t build/asan build/bench
	touch $@

# Debian packages that building, testing and the demo use.
deps:
	@sh t/deps.sh

# The suite runs three times: against ./sftdyn, against the sanitizer
# build, and against the binary the Debian package ships (linked
# dynamically), unpacked from the package that make deb built.  After
# each pass, nothing a test started may still run (t/leftovers.sh).
# Two compiles and two test files run at a time (JOBS): each test has its
# own servers, ports and directory, and each holds under two CPU hogs.
JOBS		= 2
# WERROR stays set for the tests too: t/70's make install then finds the
# binaries up to date instead of relinking one that another test runs.
PROVE		= prove -j$(JOBS)
check: export WERROR = 1
check: deps
	$(MAKE) -j$(JOBS) all build/asan/sftdyn $(UNITS)
	$(MAKE) deb DEB_BUILD_OPTIONS=parallel=$(JOBS)
	rm -rf build/deb/root
	dpkg-deb -x build/deb/sftdyn_$(VERSION)_*.deb build/deb/root
	prove --exec '' $(UNITS)
	$(PROVE) t/*.t
	sh t/leftovers.sh
	SFTDYN=build/asan/sftdyn $(PROVE) t/*.t
	sh t/leftovers.sh
	SFTDYN=build/deb/root/usr/sbin/sftdyn $(PROVE) t/*.t
	sh t/leftovers.sh

demo: deps all
	bash t/demo.sh

UNITS_SHIPPED	= sftdyn.socket sftdyn@.service units/sftdyn-tls.socket \
		  units/sftdyn-tls@.service units/sftdyn-index.path \
		  units/sftdyn-index.service units/sftdyn-status.service \
		  units/sftdyn-status.timer
EXAMPLES	= units/xinetd units/xinetd-tls units/inetd.conf \
		  units/inetd-tls.conf units/stunnel-exec.conf \
		  units/stunnel-proxy.conf units/nginx.conf conf/sftdyn.conf \
		  conf/named-local.conf conf/dyn.example.org.zone \
		  conf/named-primary.conf conf/named-secondary.conf
AS_BIND		= [ "$$(id -u)" = 0 ] && id bind >/dev/null 2>&1
BINPATH_SED	= sed 's,/usr/local/bin/sftdyn,$(BINDIR)/sftdyn,g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/sftdyn
	install -m 755 sftdyn sftdyn-tls $(DESTDIR)$(BINDIR)/
	install -m 644 man/sftdyn.8 $(DESTDIR)$(MANDIR)/man8/sftdyn.8
	ln -sf sftdyn.8 $(DESTDIR)$(MANDIR)/man8/sftdyn-tls.8
	install -m 644 man/sftdyn.conf.5 $(DESTDIR)$(MANDIR)/man5/sftdyn.conf.5
	for f in $(UNITS_SHIPPED); do \
		$(BINPATH_SED) $$f >$(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/} && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/} || exit 1; \
	done
	for f in $(EXAMPLES); do \
		$(BINPATH_SED) $$f >$(DESTDIR)$(DOCDIR)/examples/$${f##*/} && \
		chmod 644 $(DESTDIR)$(DOCDIR)/examples/$${f##*/} || exit 1; \
	done
	install -m 644 README $(DESTDIR)$(DOCDIR)/README
	@# the configuration, readable by group bind (the service user's),
	@# and the state directory, bind's, as the package makes them; an
	@# existing one is left as it is
	test -e $(DESTDIR)$(SYSCONFDIR)/sftdyn/conf || { install -m 640 \
	    conf/sftdyn.conf $(DESTDIR)$(SYSCONFDIR)/sftdyn/conf && \
	    if $(AS_BIND); then chgrp bind \
	    $(DESTDIR)$(SYSCONFDIR)/sftdyn/conf; fi; }
	test -d $(DESTDIR)$(STATEDIR) || { install -d -m 750 \
	    $(DESTDIR)$(STATEDIR) && if $(AS_BIND); then chown bind:bind \
	    $(DESTDIR)$(STATEDIR); fi; }

# Leaves /etc/sftdyn/conf, which holds the keys, and the state in place.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sftdyn $(DESTDIR)$(BINDIR)/sftdyn-tls \
	    $(DESTDIR)$(MANDIR)/man8/sftdyn.8 \
	    $(DESTDIR)$(MANDIR)/man8/sftdyn-tls.8 \
	    $(DESTDIR)$(MANDIR)/man5/sftdyn.conf.5
	for f in $(UNITS_SHIPPED); do \
		rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/}; done
	rm -rf $(DESTDIR)$(DOCDIR)

BENCH		= build/bench/runner build/bench/runner-tls build/bench/ref \
		  build/bench/ref-tls build/bench/load build/bench/nsupdate-stub

# small and static: a child's peak RSS includes the runner's until exec
build/bench/runner: bench/runner.c | build/.dirs
	$(CC) $(CFLAGS) $(WARNINGS) -static -o $@ $<

build/bench/runner-tls: bench/runner.c | build/.dirs
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -DRUNNER_TLS -o $@ $< \
	    $(shell pkg-config --libs libtls)

build/bench/ref: bench/ref.c | build/.dirs
	$(CC) $(CFLAGS) $(WARNINGS) -static -o $@ $<

build/bench/nsupdate-stub: bench/nsupdate-stub.c | build/.dirs
	$(CC) $(CFLAGS) $(WARNINGS) -static -o $@ $<

build/bench/ref-tls: bench/ref-tls.c | build/.dirs
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(STATIC) -o $@ $< $(TLS_LIBS) \
	    $(LINK_FILTER)

build/bench/load: bench/load.c | build/.dirs
	$(CC) $(CFLAGS) $(WARNINGS) -pthread -o $@ $<

# Prints the figures; not part of check.
bench: deps all $(BENCH)
	bash bench/bench.sh

# libFuzzer on everything that reads outside input, FUZZ_SECONDS each,
# from the seeds in t/fuzz/corpus; new inputs go to build/corpus-NAME.
FUZZ_SECONDS	?= 60
FUZZERS		= http proxy dyndns2 acme conf blank index state verify
FUZZ_SRCS	= $(filter-out src/main.c src/tls.c,$(SRCS))
FUZZ_LIBS	= $(shell pkg-config --libs $(PKGS))
FUZZ_CC		= clang $(CPPFLAGS) -Isrc -g -O1 -fsanitize=fuzzer,address,undefined

build/fuzz-%: t/fuzz/%.c $(FUZZ_SRCS) src/sftdyn.h | build/.dirs
	$(FUZZ_CC) -o $@ $< $(FUZZ_SRCS) $(FUZZ_LIBS)

fuzz-deps:
	@sh t/deps.sh fuzz

fuzz: fuzz-deps
	$(MAKE) -j$(JOBS) $(FUZZERS:%=build/fuzz-%)
	for f in $(FUZZERS); do \
		mkdir -p build/corpus-$$f && \
		build/fuzz-$$f -max_total_time=$(FUZZ_SECONDS) -max_len=9000 \
		    -print_final_stats=1 build/corpus-$$f t/fuzz/corpus/$$f \
		    >build/fuzz-$$f.log 2>&1 || { tail -n 30 build/fuzz-$$f.log; exit 1; }; \
		printf '%-8s %s\n' $$f "$$(grep -h 'stat::number_of_executed_units' build/fuzz-$$f.log)"; \
	done

# The Debian package, built in build/deb from a copy of the files git
# knows or would (tracked, or new and not ignored) that exist.
deb: deps
	rm -rf build/deb
	mkdir -p build/deb/src
	git ls-files -z -c -o --exclude-standard | xargs -0 sh -c \
	    'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	    xargs -0 cp --parents -t build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

clean:
	rm -rf build sftdyn sftdyn-tls

.PHONY: all bench check clean deb deps demo fuzz fuzz-deps install uninstall FORCE
