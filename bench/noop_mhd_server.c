/* A no-op HTTP server on the same libmicrohttpd as rope-server: the ceiling of the transport, for bench/ only.
 *
 * bench/bench.py loads it with the same wrk command and the same small /rotate body as rope-server and the FastAPI
 * peer, as a yardstick (not a peer, not a target): it shows how many requests per second libmicrohttpd, loopback TCP
 * and wrk on the same two cores allow at all, with no parsing, no rotation and no JSON writing. Whatever rope-server
 * does per request comes on top of this.
 *
 * It runs libmicrohttpd as rope-server does by default (deps/libmicrohttpd/build's libmicrohttpd-rope; poll internal
 * thread + ITC, a pool of 2 threads, 256 KiB connection memory, 30 s connection timeout, backlog 1024), listens on
 * 127.0.0.1 only, reads and discards every request body, and answers any POST with one fixed JSON document of the
 * requested size (Content-Type application/json), and GET /health with {"status":"ok"}. A response object is created
 * per request over the fixed buffer (no copy), since any real server needs one per request.
 *
 *   noop_mhd_server PORT RESPONSE_BYTES
 *
 * PORT 0 takes any free port; the bound port is printed on stdout as one line once the server accepts connections.
 * SIGTERM or SIGINT stops the daemon and exits 0.
 *
 * Built by bench/run: cc -O2 noop_mhd_server.c $(pkg-config --cflags --libs libmicrohttpd-rope) -lpthread
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

static const char health_body[] = "{\"status\":\"ok\"}";
static const char not_found_body[] = "{\"error\":\"not_found\"}";
static const char json_prefix[] = "{\"embeddings\":[";
static const char json_suffix[] = "]}";
#define SMALLEST_BODY (sizeof json_prefix - 1 + sizeof json_suffix - 1)

/* The fixed answer to every POST, made once by make_body. */
static char *answer_body;
static size_t answer_size;

/* Any marker address for *con_cls: the first call of a request sees NULL there and only sets it. */
static int request_seen;

/* Fills a buffer of exactly `size` bytes with valid JSON: {"embeddings":[0,0,...,0]}, a space before the closing
   bracket when the zeros and commas cannot fill the array exactly. */
static char *make_body(size_t size) {
    char *body = malloc(size);
    if (body == NULL) return NULL;
    size_t prefix = sizeof json_prefix - 1, suffix = sizeof json_suffix - 1, inside = size - prefix - suffix;
    memcpy(body, json_prefix, prefix);
    for (size_t i = 0; i < inside; i++) body[prefix + i] = (i % 2 == 0) ? '0' : ',';
    if (inside % 2 == 0 && inside > 0) body[prefix + inside - 1] = ' ';
    memcpy(body + prefix + inside, json_suffix, suffix);
    return body;
}

static enum MHD_Result queue_json(struct MHD_Connection *connection, unsigned int status, const void *body, size_t size) {
    struct MHD_Response *response = MHD_create_response_from_buffer(size, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (response == NULL) return MHD_NO;
    if (MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") != MHD_YES) {
        MHD_destroy_response(response);
        return MHD_NO;
    }
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result handle(void *context, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    (void)context;
    (void)version;
    (void)upload_data;
    /* Answering on the first call (headers only) would make libmicrohttpd close the connection: answer later. */
    if (*con_cls == NULL) {
        *con_cls = &request_seen;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* consumed, and thrown away */
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
        return queue_json(connection, MHD_HTTP_OK, answer_body, answer_size);
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 && strcmp(url, "/health") == 0) {
        return queue_json(connection, MHD_HTTP_OK, health_body, sizeof health_body - 1);
    }
    return queue_json(connection, MHD_HTTP_NOT_FOUND, not_found_body, sizeof not_found_body - 1);
}

static int parse_size(const char *text, unsigned long long largest, unsigned long long *value) {
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || parsed > largest) return 0;
    *value = parsed;
    return 1;
}

int main(int argc, char **argv) {
    unsigned long long port, size;
    if (argc != 3 || !parse_size(argv[1], 65535, &port) || !parse_size(argv[2], 1ULL << 30, &size)
        || size < SMALLEST_BODY) {
        fprintf(stderr, "usage: %s PORT RESPONSE_BYTES  (PORT 0 = any free port; RESPONSE_BYTES %zu to 2^30)\n",
                argc > 0 ? argv[0] : "noop_mhd_server", (size_t)SMALLEST_BODY);
        return 2;
    }
    answer_size = (size_t)size;
    answer_body = make_body(answer_size);
    if (answer_body == NULL) {
        fprintf(stderr, "noop_mhd_server: cannot allocate %zu bytes\n", answer_size);
        return 1;
    }

    /* Blocked before the daemon starts, so that its threads inherit the mask and sigwait below receives them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC, (uint16_t)port, NULL, NULL, handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)2,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)262144,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
        MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "noop_mhd_server: cannot listen on 127.0.0.1:%llu\n", port);
        free(answer_body);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        fprintf(stderr, "noop_mhd_server: libmicrohttpd does not tell the bound port\n");
        MHD_stop_daemon(daemon);
        free(answer_body);
        return 1;
    }
    printf("%u\n", (unsigned int)info->port);
    fflush(stdout);

    int received;
    sigwait(&stop_signals, &received);
    MHD_stop_daemon(daemon);
    free(answer_body);
    return 0;
}
