#ifndef ROPE_CMICROHTTPD_SHIM_H
#define ROPE_CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#if __has_include(<microhttpd.h>)
#include <microhttpd.h>
#endif

/* libmicrohttpd's own error responses (bad request line, Content-Length or chunking, a head beyond the connection's
   memory, ...) must be JSON like every other error: only the library deps/libmicrohttpd/build makes, with
   deps/libmicrohttpd/json-errors.patch, does that (pkg-config package libmicrohttpd-rope). Debian's
   libmicrohttpd-dev answers them with HTML pages, so its microhttpd.h is refused here. */
#ifndef MHD_ROPE_JSON_ERRORS
#error "no microhttpd.h from deps/libmicrohttpd/build (MHD_ROPE_JSON_ERRORS is not defined): run scripts/install-deps, which builds the patched libmicrohttpd and installs it as the pkg-config package libmicrohttpd-rope"
#endif

/* The errors libmicrohttpd answers itself reach rope-server through a callback that needs no error log (whose flag
   costs small requests much of their throughput): deps/libmicrohttpd/error-callback.patch. */
#if !defined(MHD_ROPE_ERROR_CALLBACK) || MHD_ROPE_ERROR_CALLBACK < 2
#error "microhttpd.h lacks deps/libmicrohttpd/error-callback.patch (MHD_ROPE_ERROR_CALLBACK is not 2): run scripts/install-deps, which rebuilds the patched libmicrohttpd"
#endif

/// Everything `rope_mhd_start` needs, as plain C values (Swift cannot call the variadic MHD_start_daemon).
typedef struct rope_mhd_settings {
    unsigned int flags;                    /* MHD_FLAG bits */
    uint16_t port;                         /* 0 = any free port (read it back with MHD_DAEMON_INFO_BIND_PORT) */
    const struct sockaddr *bind_address;   /* NULL = all interfaces */
    unsigned int thread_pool_size;         /* passed only when > 1 */
    unsigned int connection_timeout;       /* seconds; MHD's default 0 means never */
    size_t connection_memory_limit;        /* bytes per connection for headers and buffers */
    unsigned int connection_limit;         /* concurrent connections */
    unsigned int listen_backlog;           /* listen(2) backlog */
    MHD_AccessHandlerCallback handler;
    void *handler_context;
    MHD_RequestCompletedCallback completed;
    void *completed_context;
    MHD_NotifyConnectionCallback connection_notify;   /* opened / closed */
    void *connection_notify_context;
    MHD_RopeErrorCallback library_error;             /* told of each error libmicrohttpd answers itself */
    void *library_error_context;
} rope_mhd_settings;

/// Starts a daemon with the options in `settings`, using MHD_OPTION_ARRAY so that optional values can be left out.
static inline struct MHD_Daemon *rope_mhd_start(const rope_mhd_settings *settings) {
    struct MHD_OptionItem options[10];
    int count = 0;
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)settings->connection_timeout, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)settings->connection_memory_limit, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)settings->connection_limit, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_BACKLOG_SIZE, (intptr_t)settings->listen_backlog, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)settings->completed, settings->completed_context };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)settings->connection_notify, settings->connection_notify_context };
    if (settings->thread_pool_size > 1) {
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)settings->thread_pool_size, NULL };
    }
    if (settings->bind_address != NULL) {
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, (void *)settings->bind_address };
    }
    if (settings->library_error != NULL) {
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_ROPE_ERROR_CALLBACK, (intptr_t)settings->library_error,
                                                    settings->library_error_context };
    }
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    return MHD_start_daemon(settings->flags, settings->port, NULL, NULL,
                            settings->handler, settings->handler_context,
                            MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/// The port the daemon listens on (useful after binding port 0).
static inline uint16_t rope_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// Number of connections currently open.
static inline unsigned int rope_mhd_current_connections(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

#endif
