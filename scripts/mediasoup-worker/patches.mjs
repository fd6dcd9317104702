// Edits applied to mediasoup's worker sources before building. Each must match exactly once, so a
// new mediasoup version that moved the code fails the build loudly instead of building unpatched.
export const patches = [
  {
    file: 'meson.build',
    why: 'Debian 12 ships meson 1.0.1; the worker builds fine with it.',
    find: "meson_version: '>= 1.1.0'",
    replace: "meson_version: '>= 1.0.0'",
  },
  {
    file: 'src/RTC/DtlsTransport.cpp',
    why:
      'mediasoup bug: the BIO callback compares the operation to BIO_CB_RETURN although that flag is ' +
      "OR-ed into it, so every post-operation query returns 1, BIO_get_ktls_send() included. Debian's " +
      'OpenSSL has kernel TLS, takes the kTLS path on a memory BIO and the worker crashes in SSL_read ' +
      'on the first DTLS handshake. Testing the flag bitwise fixes it.',
    find: '(operationType == BIO_CB_RETURN)',
    replace: '((operationType & BIO_CB_RETURN) != 0)',
  },
];

/** The meson options the worker is configured with. */
export const mesonOptions = [
  '--wrap-mode=nodownload',
  '--buildtype=release',
  '-Db_ndebug=true',
  // Debian's liburing 2.3 lacks functions mediasoup 3.14 calls.
  '-Dms_disable_liburing=true',
];

/** Debian packages whose versions go into the cache key: a library upgrade rebuilds the worker. */
export const buildPackages = [
  'meson',
  'ninja-build',
  'pkg-config',
  'flatbuffers-compiler',
  'libflatbuffers-dev',
  'libuv1-dev',
  'libssl-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'g++',
];
