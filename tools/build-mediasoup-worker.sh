#!/usr/bin/env bash
# Builds the mediasoup C++ worker offline (no GitHub) from the sources shipped in the npm tarball
# (node_modules/mediasoup/worker) against Debian 12 libraries, and caches the binary.
#
#   bash tools/build-mediasoup-worker.sh        # prints the path of a usable worker binary
#
# Order of preference (first hit wins, prints its path, exits 0):
#   1. $MEDIASOUP_WORKER_BIN when it is set and executable;
#   2. the prebuilt worker that mediasoup's own postinstall downloaded (machines that reach GitHub):
#      node_modules/mediasoup/worker/out/Release/mediasoup-worker;
#   3. the cached build: ${ENGAGE_CACHE:-$HOME/.cache/engage}/mediasoup-worker-<version>-ossl/mediasoup-worker;
#   4. otherwise: build it (about 4-6 minutes on 2 cores), cache it, print its path.
#
# What the build does (see the SFU issue for why):
#   - Debian packages for every worker dependency (installed with apt-get when running as root);
#   - libsrtp with OpenSSL crypto instead of Debian's libsrtp2, which is built with NSS: NSS sets up
#     a PKCS#11 context per packet (hash-table walks under a lock, malloc/free): an SRTP consumer
#     cost the worker ~1.6x a plain-RTP one, with OpenSSL ~1.25x (issue #6; ~20 s of build). The
#     source is libsrtp 2.3.0 as shipped inside the npm tarball of mediasoup@3.8.4 (fetched once with
#     `npm pack`, sha512 pinned below); it is configured with --enable-openssl, checked with its own
#     cipher/SRTP test vectors, patched so GCM encryption leaves OpenSSL's error queue empty, and
#     cached as a static library in $CACHE/libsrtp-2.3.0-openssl-1;
#   - meson >= 1.1 and ninja from pip in a venv under the cache dir (Debian's meson 1.0 is too old);
#   - copies the worker sources to a scratch dir (node_modules is never patched in place);
#   - each subprojects/*.wrap gets the folder its `directory =` line names, whose meson.build
#     wraps the Debian library (the cached static libsrtp for libsrtp2) under the variable names the
#     worker expects, so meson downloads nothing (--wrap-mode=nodownload);
#   - patch 1: SrtpSession.hpp bridges libsrtp 2 vs the 3.0-alpha API mediasoup uses;
#   - patch 2: DtlsTransport.cpp's onSslBioOut BIO callback answered 1 to every control query;
#     Debian's OpenSSL is built with kernel TLS, asks the BIO whether KTLS is active (BIO_ctrl 73,
#     76), believes it and never allocates its write buffer -> SIGSEGV in SSL_read on the first
#     DTLS ClientHello. The callback now returns the library's own result on BIO_CB_RETURN calls;
#   - liburing disabled; flatbuffers headers (fbs/FBS) generated before the worker target.
#     (Tried with Debian's liburing 2.3 plus a three-function shim for what mediasoup takes from 2.4:
#     the worker then sent through io_uring - no sendto calls left - but its CPU per consumer did not
#     change: 0.687 vs 0.680 of a core at 300 SRTP consumers with feedback, 4 alternated runs on a
#     quiet box. The kernel's UDP send path, not the system call, is the cost.)
# Environment: ENGAGE_CACHE (cache root), KEEP_BUILD=1 (keep the scratch dir), JOBS (ninja -j).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MS_DIR="$ROOT/node_modules/mediasoup"
log() { echo "build-mediasoup-worker: $*" >&2; }
fail() { echo "build-mediasoup-worker: FAILED: $*" >&2; exit 1; }

if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
  if [ -x "$MEDIASOUP_WORKER_BIN" ]; then echo "$MEDIASOUP_WORKER_BIN"; exit 0; fi
  log "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file; ignoring it"
fi

[ -f "$MS_DIR/package.json" ] || fail "node_modules/mediasoup is not installed; run 'bash tools/with-node.sh true' first."
VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$MS_DIR/package.json" | head -1)"
[ -n "$VERSION" ] || fail "could not read the mediasoup version from $MS_DIR/package.json."

PREBUILT="$MS_DIR/worker/out/Release/mediasoup-worker"
if [ -x "$PREBUILT" ]; then echo "$PREBUILT"; exit 0; fi

CACHE="${ENGAGE_CACHE:-$HOME/.cache/engage}"
# "-ossl": linked against the OpenSSL libsrtp below (earlier builds against Debian's NSS libsrtp2
# sit in mediasoup-worker-<version> and are no longer used).
OUT_DIR="$CACHE/mediasoup-worker-$VERSION-ossl"
OUT="$OUT_DIR/mediasoup-worker"
if [ -x "$OUT" ]; then echo "$OUT"; exit 0; fi

[ "$(uname -s)" = Linux ] || fail "the offline build is only scripted for Linux (Debian 12); elsewhere let mediasoup's postinstall download its prebuilt worker."
[ -d "$MS_DIR/worker/src" ] || fail "$MS_DIR/worker has no sources; reinstall mediasoup $VERSION from the npm registry."

START=$(date +%s)
log "no worker binary found; building mediasoup-worker $VERSION offline into $OUT"

# --- 1. Debian packages -----------------------------------------------------------------------
PKGS=(g++ make pkg-config python3-venv libssl-dev libuv1-dev libabsl-dev libusrsctp-dev
      libflatbuffers-dev flatbuffers-compiler)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "step 1/8: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "these Debian packages are missing and I am not root: run 'sudo apt-get install -y ${missing[*]}' and re-run this script."
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || fail "apt-get could not install ${missing[*]}."
  fi
else
  log "step 1/8: Debian packages present"
fi

# --- 2. meson + ninja from pip ----------------------------------------------------------------
VENV="$CACHE/build-tools/venv"
if ! "$VENV/bin/python" -c 'import sys, mesonbuild.coredata as c; v=tuple(int(x) for x in c.version.split(".")[:2]); sys.exit(0 if v>=(1,1) else 1)' 2>/dev/null \
   || [ ! -x "$VENV/bin/ninja" ]; then
  log "step 2/8: creating a python venv with meson>=1.1 and ninja in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || fail "python3 -m venv failed (is python3-venv installed?)."
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'meson>=1.1' ninja >&2 \
    || fail "pip could not install meson and ninja (is the Python package index reachable?)."
else
  log "step 2/8: meson $("$VENV/bin/meson" --version) and ninja $("$VENV/bin/ninja" --version) already in $VENV"
fi
export PATH="$VENV/bin:$PATH"

mkdir -p "$CACHE"
SCRATCH="$(mktemp -d "$CACHE/mediasoup-worker-$VERSION.build.XXXXXX")"
cleanup() {
  if [ "${KEEP_BUILD:-0}" = 1 ] || [ "${BUILD_OK:-0}" != 1 ]; then
    log "scratch dir kept for inspection: $SCRATCH"
  else
    rm -rf "$SCRATCH"
  fi
}
trap cleanup EXIT

# --- 3. libsrtp with OpenSSL crypto (static, cached) -------------------------------------------
SRTP_VERSION=2.3.0
SRTP_NPM_SPEC=mediasoup@3.8.4
SRTP_NPM_INTEGRITY="sha512-l6rQwjcWN5VJ85yg8darZyPjSQVlE1GqrR1mIjUVa0F8MX6jOxsscXNzFisxTly4ngB2DTjnI8HEabmD5a5Vog=="
SRTP_DIR="$CACHE/libsrtp-$SRTP_VERSION-openssl-1" # bump the suffix when the build of it changes
if [ -f "$SRTP_DIR/lib/libsrtp2.a" ] && [ -f "$SRTP_DIR/include/srtp2/srtp.h" ]; then
  log "step 3/8: libsrtp $SRTP_VERSION (OpenSSL) already built in $SRTP_DIR"
else
  log "step 3/8: building libsrtp $SRTP_VERSION with OpenSSL crypto from the npm tarball of $SRTP_NPM_SPEC"
  command -v npm >/dev/null 2>&1 \
    || fail "npm is needed once to fetch $SRTP_NPM_SPEC (libsrtp sources); run this script as 'bash tools/with-node.sh bash tools/build-mediasoup-worker.sh'."
  mkdir -p "$SCRATCH/npm"
  tgz="$( (cd "$SCRATCH/npm" && npm pack "$SRTP_NPM_SPEC" --ignore-scripts --silent --pack-destination "$SCRATCH/npm") 2>"$SCRATCH/npm-pack.log" | tail -1)" \
    || { tail -20 "$SCRATCH/npm-pack.log" >&2; fail "npm pack $SRTP_NPM_SPEC failed (is the npm registry reachable?)."; }
  tgz="$SCRATCH/npm/$tgz"
  [ -f "$tgz" ] || fail "npm pack $SRTP_NPM_SPEC did not leave a tarball in $SCRATCH/npm."
  got="$(python3 -c 'import base64,hashlib,sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tgz")"
  [ "$got" = "$SRTP_NPM_INTEGRITY" ] \
    || fail "the $SRTP_NPM_SPEC tarball has integrity $got, expected $SRTP_NPM_INTEGRITY; not building from it."
  tar -xzf "$tgz" -C "$SCRATCH" package/worker/deps/libsrtp/srtp \
    || fail "the $SRTP_NPM_SPEC tarball has no package/worker/deps/libsrtp/srtp."
  rm -f "$tgz"
  S="$SCRATCH/package/worker/deps/libsrtp/srtp"
  grep -q "AC_INIT(\[libsrtp2\], \[$SRTP_VERSION\]" "$S/configure.ac" \
    || fail "the libsrtp in $SRTP_NPM_SPEC is not version $SRTP_VERSION."
  # The one source patch (upstream libsrtp made the same change in 2.4 for OpenSSL 3): 2.3.0 sets a
  # dummy GCM tag before the AAD in both directions; OpenSSL 3 refuses that when encrypting and
  # leaves "invalid tag" in the thread's error queue on every protected packet. The worker's DTLS
  # code reads that queue through SSL_get_error(): a stale entry turns the next SSL_read() that
  # returns <= 0 (a retransmitted handshake record) into SSL_ERROR_SSL, which closes the transport.
  python3 - "$S/crypto/cipher/aes_gcm_ossl.c" <<'PY' || fail "the libsrtp GCM patch no longer applies; update tools/build-mediasoup-worker.sh."
import sys, pathlib
p = pathlib.Path(sys.argv[1])
s = p.read_text()
old = "    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, c->tag_len, &dummy_tag);\n"
if s.count(old) != 1:
    sys.exit(f"{p}: expected exactly one occurrence of {old!r}")
p.write_text(s.replace(old, "    if (c->dir == srtp_direction_decrypt) {\n    " + old + "    }\n"))
PY
  # OPENSSL_API_COMPAT=10101: hmac_ossl.c uses the HMAC_CTX API that OpenSSL 3 deprecates (still
  # present); targeting the 1.1.1 API silences those warnings without editing the source.
  # configure picks its own optimisation flags (-O3 class) when CFLAGS is empty, so only CPPFLAGS.
  ( cd "$S" && ./configure --enable-openssl --disable-debug-logging --prefix="$SRTP_DIR" \
      CPPFLAGS="-DOPENSSL_API_COMPAT=10101" ) > "$SCRATCH/libsrtp-configure.log" 2>&1 \
    || { tail -30 "$SCRATCH/libsrtp-configure.log" >&2; fail "libsrtp configure --enable-openssl failed (log: $SCRATCH/libsrtp-configure.log; is libssl-dev installed?)."; }
  grep -q '^#define OPENSSL 1' "$S/crypto/include/config.h" && grep -q '^#define GCM 1' "$S/crypto/include/config.h" \
    || fail "libsrtp configure did not enable the OpenSSL backend with AES-GCM (see $SCRATCH/libsrtp-configure.log)."
  make -C "$S" -j "${JOBS:-$(( $(nproc) + 1 ))}" libsrtp2.a > "$SCRATCH/libsrtp-make.log" 2>&1 \
    || { grep -E 'error' "$SCRATCH/libsrtp-make.log" | head -20 >&2; fail "compiling libsrtp failed (log: $SCRATCH/libsrtp-make.log)."; }
  # Its own known-answer tests (AES-ICM/GCM through OpenSSL, SRTP/SRTCP protect/unprotect vectors).
  # The 2.3.0 test programs define globals in headers: GCC >= 10 needs -fcommon to link them.
  make -C "$S" -j "${JOBS:-$(( $(nproc) + 1 ))}" crypto/test/cipher_driver test/srtp_driver \
      CPPFLAGS="-DOPENSSL_API_COMPAT=10101 -fcommon" > "$SCRATCH/libsrtp-tests.log" 2>&1 \
    && "$S/crypto/test/cipher_driver" -v >> "$SCRATCH/libsrtp-tests.log" 2>&1 \
    && "$S/test/srtp_driver" -v >> "$SCRATCH/libsrtp-tests.log" 2>&1 \
    || { tail -20 "$SCRATCH/libsrtp-tests.log" >&2; fail "libsrtp's own tests failed (log: $SCRATCH/libsrtp-tests.log)."; }
  # And ours: protect / unprotect / a refused tampered packet with every suite the worker offers
  # must leave OpenSSL's error queue empty (fails without the patch above).
  cat > "$SCRATCH/srtp-errq.c" <<'C'
#include <openssl/err.h>
#include <srtp.h>
#include <stdio.h>
#include <string.h>
static int dirty(const char *what, const char *suite) {
  unsigned long e = ERR_peek_error();
  char buf[256];
  if (e == 0) return 0;
  ERR_error_string_n(e, buf, sizeof buf);
  fprintf(stderr, "after %s (%s) the OpenSSL error queue holds: %s\n", what, suite, buf);
  ERR_clear_error();
  return 1;
}
int main(void) {
  struct { const char *name; void (*set)(srtp_crypto_policy_t *); } suites[] = {
    { "AEAD_AES_256_GCM", srtp_crypto_policy_set_aes_gcm_256_16_auth },
    { "AEAD_AES_128_GCM", srtp_crypto_policy_set_aes_gcm_128_16_auth },
    { "AES_CM_128_HMAC_SHA1_80", srtp_crypto_policy_set_rtp_default },
  };
  int failed = 0;
  if (srtp_init() != srtp_err_status_ok) return 2;
  for (unsigned s = 0; s < sizeof suites / sizeof suites[0]; s++) {
    unsigned char key[64];
    srtp_policy_t tx, rx;
    srtp_t txs, rxs;
    for (int i = 0; i < 64; i++) key[i] = (unsigned char)(i * 7 + s);
    memset(&tx, 0, sizeof tx);
    suites[s].set(&tx.rtp);
    suites[s].set(&tx.rtcp);
    tx.key = key;
    tx.ssrc.type = ssrc_any_outbound;
    tx.window_size = 1024;
    rx = tx;
    rx.ssrc.type = ssrc_any_inbound;
    if (srtp_create(&txs, &tx) || srtp_create(&rxs, &rx)) return 2;
    for (int n = 0; n < 3; n++) {
      unsigned char pkt[1300], bad[1300];
      int len = 1162, blen;
      memset(pkt, 0xab, sizeof pkt);
      memcpy(pkt, "\x80\x65\x00\x00\x00\x00\x00\x00\x12\x34\x56\x78", 12);
      pkt[3] = (unsigned char)n;
      ERR_clear_error();
      if (srtp_protect(txs, pkt, &len) != srtp_err_status_ok) return 2;
      failed |= dirty("srtp_protect", suites[s].name);
      memcpy(bad, pkt, (size_t)len);
      bad[len - 1] ^= 1;
      blen = len;
      if (srtp_unprotect(rxs, bad, &blen) != srtp_err_status_auth_fail) return 2;
      failed |= dirty("a refused srtp_unprotect", suites[s].name);
      if (srtp_unprotect(rxs, pkt, &len) != srtp_err_status_ok || len != 1162) return 2;
      failed |= dirty("srtp_unprotect", suites[s].name);
    }
    srtp_dealloc(txs);
    srtp_dealloc(rxs);
  }
  return failed;
}
C
  { gcc -O2 -Wall -I"$S/include" -I"$S/crypto/include" "$SCRATCH/srtp-errq.c" "$S/libsrtp2.a" -lcrypto -o "$SCRATCH/srtp-errq" \
      && "$SCRATCH/srtp-errq"; } >> "$SCRATCH/libsrtp-tests.log" 2>&1 \
    || { tail -10 "$SCRATCH/libsrtp-tests.log" >&2; fail "libsrtp leaves errors in OpenSSL's error queue, or its SRTP round trip failed (log: $SCRATCH/libsrtp-tests.log)."; }
  rm -rf "$SRTP_DIR.tmp.$$"
  make -C "$S" install prefix="$SRTP_DIR.tmp.$$" > "$SCRATCH/libsrtp-install.log" 2>&1 \
    || fail "installing libsrtp into $SRTP_DIR.tmp.$$ failed (log: $SCRATCH/libsrtp-install.log)."
  printf 'libsrtp %s from %s (%s), GCM dummy-tag patch, ./configure --enable-openssl --disable-debug-logging CPPFLAGS=-DOPENSSL_API_COMPAT=10101\n' \
    "$SRTP_VERSION" "$SRTP_NPM_SPEC" "$SRTP_NPM_INTEGRITY" > "$SRTP_DIR.tmp.$$/BUILD-INFO"
  # Atomic; a concurrent run that finished first wins and this copy is dropped.
  mv -T "$SRTP_DIR.tmp.$$" "$SRTP_DIR" 2>/dev/null || rm -rf "$SRTP_DIR.tmp.$$"
  [ -f "$SRTP_DIR/lib/libsrtp2.a" ] || fail "libsrtp was built but $SRTP_DIR/lib/libsrtp2.a is missing."
fi

# --- 4. scratch copy of the sources -----------------------------------------------------------
W="$SCRATCH/worker"
log "step 4/8: copying worker sources to $W"
cp -a "$MS_DIR/worker" "$W"
rm -rf "$W/out" "$W/subprojects/packagecache"

# --- 5. subproject wrappers around the Debian libraries ---------------------------------------
log "step 5/8: writing subproject wrappers (meson will download nothing)"
wrap_dir() { # wrap name -> directory= value
  local d
  d="$(sed -n 's/^[[:space:]]*directory[[:space:]]*=[[:space:]]*\(.*\)$/\1/p' "$W/subprojects/$1.wrap" | head -1)"
  [ -n "$d" ] || fail "subprojects/$1.wrap has no 'directory =' line."
  echo "$W/subprojects/$d"
}
# write_wrapper <wrap name> <meson.build contents> [meson_options.txt contents]
write_wrapper() {
  local dir; dir="$(wrap_dir "$1")"
  rm -rf "$dir"; mkdir -p "$dir"
  printf '%s\n' "$2" > "$dir/meson.build"
  [ -z "${3:-}" ] || printf '%s\n' "$3" > "$dir/meson_options.txt"
  # A source for the placeholder static libraries the worker passes to link_whole (only its
  # not-built-by-default shared library uses them; the executable links through the *_dep).
  printf 'int ms_system_%s_placeholder;\n' "$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)" > "$dir/placeholder.c"
}

write_wrapper openssl "project('openssl', 'c')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
openssl_dep = declare_dependency(dependencies: [libssl_dep, libcrypto_dep])
libssl_lib = static_library('ssl_placeholder', 'placeholder.c', build_by_default: false)
libcrypto_lib = static_library('crypto_placeholder', 'placeholder.c', build_by_default: false)"

write_wrapper libuv "project('libuv', 'c')
libuv_dep = dependency('libuv')
libuv = static_library('uv_placeholder', 'placeholder.c', build_by_default: false)" \
"option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)"

write_wrapper libsrtp2 "project('libsrtp2', 'c')
# The static OpenSSL-backed libsrtp of step 3 (not Debian's NSS one); srtp.h sits in include/srtp2
# and the worker includes <srtp.h>. libcrypto after the archive, which needs it.
libsrtp2_dep = declare_dependency(link_args: ['$SRTP_DIR/lib/libsrtp2.a'],
  dependencies: dependency('libcrypto'), compile_args: ['-I$SRTP_DIR/include/srtp2'])
libsrtp2 = static_library('srtp2_placeholder', 'placeholder.c', build_by_default: false)" \
"option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'string', value: 'disabled')
option('tests', type: 'string', value: 'disabled')"

write_wrapper usrsctp "project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('usrsctp_placeholder', 'placeholder.c', build_by_default: false)" \
"option('sctp_build_programs', type: 'boolean', value: false)"

write_wrapper abseil-cpp "project('abseil-cpp', 'c', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'),
  dependency('absl_btree'), dependency('absl_inlined_vector'), dependency('absl_memory')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_span')])
absl_container_lib = static_library('absl_placeholder', 'placeholder.c', build_by_default: false)"

write_wrapper catch2 "project('catch2', 'cpp')
# Only the worker's unit tests use Catch2; they are not built here.
catch2_dep = declare_dependency()
catch2_with_main_dep = declare_dependency()"

write_wrapper flatbuffers "project('flatbuffers', 'c', 'cpp')
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('flatbuffers_placeholder', 'placeholder.c', build_by_default: false)
flatc = find_program('flatc')"

for unused in liburing wingetopt; do
  [ -f "$W/subprojects/$unused.wrap" ] || continue
  write_wrapper "$unused" "project('$unused', 'c')
error('$unused is not available in the offline build (liburing is disabled; wingetopt is Windows-only)')"
done
# Any wrap this script does not know about would make meson try a download: stop with a sentence.
for wrap in "$W"/subprojects/*.wrap; do
  d="$(wrap_dir "$(basename "$wrap" .wrap)")"
  [ -f "$d/meson.build" ] || fail "mediasoup $VERSION has a new subproject $(basename "$wrap") this script does not wrap yet."
done

# --- 6. patches -------------------------------------------------------------------------------
log "step 6/8: patching SrtpSession.hpp (libsrtp 2 bridge) and DtlsTransport.cpp (BIO callback / KTLS)"
python3 - "$W" <<'PY' || fail "the source patches no longer apply (mediasoup sources changed); update tools/build-mediasoup-worker.sh."
import sys, pathlib
w = pathlib.Path(sys.argv[1])

def patch(rel, old, new):
    p = w / rel
    s = p.read_text()
    if s.count(old) != 1:
        sys.exit(f"{rel}: expected exactly one occurrence of {old!r}")
    p.write_text(s.replace(old, new))

# 1. libsrtp 2 vs libsrtp "3.0-alpha" (mediasoup's fork): srtp_stream_remove() is
#    srtp_remove_stream() in libsrtp 2, and the protect/unprotect length argument is int*, not
#    size_t*. C++ overloads taking size_t* forward to the C functions, so SrtpSession.cpp is unchanged.
patch("include/RTC/SrtpSession.hpp", "#include <srtp.h>\n", """#include <srtp.h>

// engage offline build: bridge libsrtp 2.x to the libsrtp 3.0-alpha API used below.
#if !defined(SRTP_VERSION_MAJOR) || SRTP_VERSION_MAJOR < 3
#include <climits>
#define MS_SRTP2_BRIDGE(fn)                                                                        \\
	inline srtp_err_status_t fn(srtp_t ctx, void* hdr, size_t* len)                                \\
	{                                                                                              \\
		if (*len > static_cast<size_t>(INT_MAX))                                                     \\
			return srtp_err_status_bad_param;                                                          \\
		int intLen = static_cast<int>(*len);                                                         \\
		const srtp_err_status_t err = fn(ctx, hdr, &intLen);                                         \\
		*len = static_cast<size_t>(intLen);                                                          \\
		return err;                                                                                  \\
	}
MS_SRTP2_BRIDGE(srtp_protect)
MS_SRTP2_BRIDGE(srtp_unprotect)
MS_SRTP2_BRIDGE(srtp_protect_rtcp)
MS_SRTP2_BRIDGE(srtp_unprotect_rtcp)
#undef MS_SRTP2_BRIDGE
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif
""")

# 2. The BIO callback must not override the result of control calls. BIO_ctrl() invokes it with
#    BIO_CB_CTRL|BIO_CB_RETURN after the call; answering 1 there tells a KTLS-enabled OpenSSL
#    that kernel TLS is active (BIO_CTRL_GET_KTLS_SEND/RECV = 73/76), so SSL never allocates its
#    write buffer and crashes in SSL_read on the first ClientHello.
patch("src/RTC/DtlsTransport.cpp",
      "long resultOfcallback = (operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;",
      "long resultOfcallback = (operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;")
PY
diff -ru "$MS_DIR/worker/include" "$W/include" > "$SCRATCH/patches.diff" || true
diff -ru "$MS_DIR/worker/src" "$W/src" >> "$SCRATCH/patches.diff" || true

# --- 7. configure + build ---------------------------------------------------------------------
B="$W/out/Release/build"
log "step 7/8: meson setup (release, liburing disabled, no downloads)"
( cd "$W" && meson setup "$B" --buildtype release --wrap-mode=nodownload \
    -Dms_disable_liburing=true -Db_ndebug=true ) > "$SCRATCH/meson-setup.log" 2>&1 \
  || { tail -40 "$SCRATCH/meson-setup.log" >&2; fail "meson setup failed (log: $SCRATCH/meson-setup.log)."; }
JOBS="${JOBS:-$(( $(nproc) + 1 ))}"
log "step 7/8: ninja fbs/FBS (flatbuffers headers)"
ninja -C "$B" -j "$JOBS" fbs/FBS > "$SCRATCH/ninja-fbs.log" 2>&1 \
  || { tail -40 "$SCRATCH/ninja-fbs.log" >&2; fail "generating the flatbuffers headers failed (log: $SCRATCH/ninja-fbs.log)."; }
log "step 7/8: ninja mediasoup-worker (-j $JOBS, a few minutes)"
ninja -C "$B" -j "$JOBS" mediasoup-worker > "$SCRATCH/ninja-worker.log" 2>&1 \
  || { grep -E 'error|Error' "$SCRATCH/ninja-worker.log" | head -30 >&2; fail "compiling mediasoup-worker failed (log: $SCRATCH/ninja-worker.log)."; }
[ -x "$B/mediasoup-worker" ] || fail "ninja finished but $B/mediasoup-worker does not exist."

# --- 8. cache atomically ----------------------------------------------------------------------
# The worker must not load Debian's NSS-backed libsrtp2 (a stray -lsrtp2 would undo the point).
if ldd "$B/mediasoup-worker" | grep -q 'libsrtp2\|libnss3'; then
  fail "the built worker still links a shared libsrtp2/NSS: $(ldd "$B/mediasoup-worker" | grep 'libsrtp2\|libnss3' | tr -s ' \t' ' ')"
fi
log "step 8/8: caching the binary at $OUT"
mkdir -p "$OUT_DIR"
cp "$B/mediasoup-worker" "$OUT_DIR/.mediasoup-worker.tmp.$$"
chmod 755 "$OUT_DIR/.mediasoup-worker.tmp.$$"
cp "$SCRATCH/patches.diff" "$OUT_DIR/patches.diff"
mv -f "$OUT_DIR/.mediasoup-worker.tmp.$$" "$OUT"
BUILD_OK=1
log "built in $(( $(date +%s) - START )) s"
echo "$OUT"
