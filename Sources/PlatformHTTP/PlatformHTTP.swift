/// The platform API's shared HTTP pieces: authentication, error rendering and request bodies.
enum PlatformHTTP {}
