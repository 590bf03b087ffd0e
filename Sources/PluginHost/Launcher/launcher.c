// relay-plugin-launcher: applies the sandbox's process layers to itself, reports them, then execs a plugin.
//
//   relay-plugin-launcher [--cwd DIR] [--env NAME=VALUE]... [--memory BYTES] [--cpu SECONDS] [--files N]
//                         [--file-size BYTES] [--processes N] [--uid N --gid N] [--network] [--report-fd N]
//                         -- PROGRAM [ARGUMENT]...
//   relay-plugin-launcher --kill-uid N
//
// The second form kills every process of an install's own uid (as that uid: kill(-1, SIGKILL)), which reaches a
// grandchild that left the plugin's session with setsid(), as a process-group kill cannot.
//
// In order: every inherited descriptor but 0, 1, 2 and the report descriptor is closed; the environment is exactly the
// --env pairs; the working directory is --cwd; a new session (setsid); rlimits (RLIMIT_DATA for memory, RLIMIT_CPU
// soft N and hard N+1, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE 0); when running as root, no
// supplementary groups and the install's own uid and gid (never uid 0); no-new-privs; a seccomp filter that refuses
// non-AF_UNIX sockets (unless --network) and dangerous system calls with EPERM; without --network and as root, a
// network namespace of its own too (reported as "netns"; where it cannot be made, the seccomp rule still holds). Then one JSON line on the report
// descriptor says which layers hold, and PROGRAM is exec'd. Any layer that fails stops the launch: the report carries
// "error" and the launcher exits 126 without running the plugin.
//
// Swift cannot run safely between fork and exec, which is why this is C (see ../../../../shared/specs/sandbox.md).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ENV 64
#define MAX_PATHS 32

// Landlock, from the kernel's UAPI (Debian 12's headers stop at ABI 2, so the parts used are defined here).
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANDLOCK_RULE_PATH_BENEATH 1
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_ALL_FS_V1 ((1ULL << 13) - 1)
#define LL_REFER (1ULL << 13)
#define LL_TRUNCATE (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
struct relay_landlock_ruleset_attr {
    unsigned long long handled_access_fs;
    unsigned long long handled_access_net;
};
struct relay_landlock_path_beneath_attr {
    unsigned long long allowed_access;
    int parent_fd;
} __attribute__((packed));

static int report_fd = -1;
static char report[2048];
static size_t report_length = 0;

static void add(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(report + report_length, sizeof report - report_length, format, arguments);
    va_end(arguments);
    if (written > 0 && (size_t)written < sizeof report - report_length) report_length += (size_t)written;
}

static void send_report(void) {
    if (report_fd < 0) return;
    size_t sent = 0;
    while (sent < report_length) {
        ssize_t n = write(report_fd, report + sent, report_length - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        sent += (size_t)n;
    }
}

/// Reports what failed (the layers so far and the error) and exits without running the plugin.
static void fail(const char *what, int error) {
    add("},\"error\":\"%s: %s\"}\n", what, strerror(error));
    send_report();
    _exit(126);
}

static long long number(const char *text, const char *option) {
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) {
        fprintf(stderr, "relay-plugin-launcher: %s needs a non-negative integer, not '%s'\n", option, text);
        exit(2);
    }
    return value;
}

static void limit(int resource, long long soft, long long hard, const char *name) {
    struct rlimit value = {(rlim_t)soft, (rlim_t)hard};
    if (setrlimit(resource, &value) != 0) fail(name, errno);
}

/// Closes every descriptor above 2 except `keep`.
static void close_inherited(int keep) {
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL) fail("listing descriptors", errno);
    int own = dirfd(directory);
    int descriptors[4096];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL && count < 4096) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd > 2 && fd != keep && fd != own) descriptors[count++] = fd;
    }
    closedir(directory);
    for (int i = 0; i < count; i++) close(descriptors[i]);
}

static void deny(scmp_filter_ctx filter, int call, const char *name) {
    if (call < 0) return;  // not on this architecture
    int result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), call, 0);
    if (result != 0) fail(name, -result);
}

static void apply_seccomp(int network) {
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
    if (filter == NULL) fail("seccomp_init", ENOMEM);
    if (!network) {
        int result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
        if (result == 0)
            result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
        if (result != 0) fail("seccomp socket rule", -result);
    }
    const char *names[] = {
        "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
        "mount", "umount2", "pivot_root", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "io_uring_setup", "io_uring_enter", "io_uring_register", "swapon", "swapoff", "reboot", "setns", "unshare",
        "open_by_handle_at", "userfaultfd", "acct", "settimeofday", "clock_settime", "adjtimex",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) deny(filter, seccomp_syscall_resolve_name(names[i]), names[i]);
    int result = seccomp_load(filter);
    seccomp_release(filter);
    if (result != 0) fail("seccomp_load", -result);
}

/// Kills every process of `uid` by becoming it: kill(-1) reaches exactly the processes that uid may signal.
static int kill_uid(const char *text) {
    long long uid = number(text, "--kill-uid");
    if (uid <= 0) {
        fprintf(stderr, "relay-plugin-launcher: --kill-uid needs a uid above 0\n");
        return 2;
    }
    if (setgroups(0, NULL) != 0 || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) != 0
        || setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) {
        fprintf(stderr, "relay-plugin-launcher: cannot become uid %lld: %s\n", uid, strerror(errno));
        return 1;
    }
    // kill(-1) skips the caller itself; repeat while processes remain, since a fork may race the first pass.
    for (int pass = 0; pass < 20; pass++) {
        if (kill(-1, SIGKILL) != 0 && errno == ESRCH) return 0;
        usleep(1000);
    }
    return 0;
}

/// Landlock: read and execute beneath the system's program folders and `reads`, everything beneath `writes`, nothing
/// else; with ABI 4 or later and no network grant, no TCP bind or connect either. Returns whether it holds: a kernel
/// without Landlock is not an error (the layer is reported absent), a failure to apply it once started is.
static int apply_landlock(const char **reads, int read_count, const char **writes, int write_count, int network) {
    long abi = syscall(444, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return 0;
    unsigned long long handled = LL_ALL_FS_V1;
    if (abi >= 2) handled |= LL_REFER;
    if (abi >= 3) handled |= LL_TRUNCATE;
    if (abi >= 5) handled |= LL_IOCTL_DEV;
    struct relay_landlock_ruleset_attr attributes = {handled, 0};
    if (abi >= 4 && !network) attributes.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    size_t size = abi >= 4 ? sizeof attributes : sizeof attributes.handled_access_fs;
    int ruleset = (int)syscall(444, &attributes, size, 0);
    if (ruleset < 0) fail("landlock_create_ruleset", errno);
    const unsigned long long read_execute = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR;
    const char *system[] = {"/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/localtime",
                            "/etc/ssl", "/etc/ca-certificates", "/etc/nsswitch.conf", "/etc/hosts", "/etc/resolv.conf",
                            "/etc/mime.types", "/etc/host.conf", "/etc/gai.conf", "/proc/self", "/dev/urandom", "/dev/random"};
    for (int pass = 0; pass < 4; pass++) {
        const char **paths = pass == 0 ? system : pass == 1 ? reads : pass == 2 ? writes : (const char *[]){"/dev/null", "/dev/zero"};
        int count = pass == 0 ? (int)(sizeof system / sizeof system[0]) : pass == 1 ? read_count : pass == 2 ? write_count : 2;
        unsigned long long access = pass == 2 ? handled : pass == 3 ? (LL_READ_FILE | LL_WRITE_FILE) : read_execute;
        for (int i = 0; i < count; i++) {
            int fd = open(paths[i], O_PATH | O_CLOEXEC);
            if (fd < 0) continue;  // not on this machine
            struct stat status;
            unsigned long long allowed = access & handled;
            if (fstat(fd, &status) == 0 && !S_ISDIR(status.st_mode)) allowed &= LL_EXECUTE | LL_READ_FILE | LL_WRITE_FILE | LL_TRUNCATE | LL_IOCTL_DEV;
            struct relay_landlock_path_beneath_attr rule = {allowed, fd};
            if (syscall(445, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) fail(paths[i], errno);
            close(fd);
        }
    }
    if (syscall(446, ruleset, 0) != 0) fail("landlock_restrict_self", errno);
    close(ruleset);
    return (int)abi;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--kill-uid") == 0) return kill_uid(argv[2]);
    const char *cwd = NULL;
    char *environment[MAX_ENV + 1];
    int environment_count = 0;
    long long memory = -1, cpu = -1, files = -1, file_size = -1, processes = -1, uid = -1, gid = -1;
    int network = 0;
    const char *reads[MAX_PATHS];
    const char *writes[MAX_PATHS];
    int read_count = 0, write_count = 0;
    int index = 1;
    for (; index < argc; index++) {
        const char *option = argv[index];
        if (strcmp(option, "--") == 0) {
            index++;
            break;
        }
        if (strcmp(option, "--network") == 0) {
            network = 1;
            continue;
        }
        if (index + 1 >= argc) {
            fprintf(stderr, "relay-plugin-launcher: %s needs a value\n", option);
            return 2;
        }
        const char *value = argv[++index];
        if (strcmp(option, "--cwd") == 0) cwd = value;
        else if (strcmp(option, "--read") == 0 || strcmp(option, "--write") == 0) {
            int writing = option[2] == 'w';
            if ((writing ? write_count : read_count) == MAX_PATHS || value[0] != '/') {
                fprintf(stderr, "relay-plugin-launcher: %s takes an absolute path, at most %d times\n", option, MAX_PATHS);
                return 2;
            }
            if (writing) writes[write_count++] = value;
            else reads[read_count++] = value;
        }
        else if (strcmp(option, "--env") == 0) {
            if (environment_count == MAX_ENV || strchr(value, '=') == NULL) {
                fprintf(stderr, "relay-plugin-launcher: --env takes NAME=VALUE, at most %d times\n", MAX_ENV);
                return 2;
            }
            environment[environment_count++] = (char *)value;
        }
        else if (strcmp(option, "--memory") == 0) memory = number(value, option);
        else if (strcmp(option, "--cpu") == 0) cpu = number(value, option);
        else if (strcmp(option, "--files") == 0) files = number(value, option);
        else if (strcmp(option, "--file-size") == 0) file_size = number(value, option);
        else if (strcmp(option, "--processes") == 0) processes = number(value, option);
        else if (strcmp(option, "--uid") == 0) uid = number(value, option);
        else if (strcmp(option, "--gid") == 0) gid = number(value, option);
        else if (strcmp(option, "--report-fd") == 0) report_fd = (int)number(value, option);
        else {
            fprintf(stderr, "relay-plugin-launcher: unknown option %s\n", option);
            return 2;
        }
    }
    if (index >= argc) {
        fprintf(stderr, "usage: relay-plugin-launcher [options] -- PROGRAM [ARGUMENT]...\n");
        return 2;
    }
    environment[environment_count] = NULL;

    add("{\"layers\":{");
    close_inherited(report_fd);
    add("\"environment\":true,\"descriptors\":true");
    if (cwd != NULL && chdir(cwd) != 0) fail("chdir", errno);
    if (setsid() < 0) fail("setsid", errno);
    add(",\"session\":true");

    limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    if (memory >= 0) limit(RLIMIT_DATA, memory, memory, "RLIMIT_DATA");
    if (cpu >= 0) limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
    if (files >= 0) limit(RLIMIT_NOFILE, files, files, "RLIMIT_NOFILE");
    if (file_size >= 0) limit(RLIMIT_FSIZE, file_size, file_size, "RLIMIT_FSIZE");
    if (processes >= 0) limit(RLIMIT_NPROC, processes, processes, "RLIMIT_NPROC");
    add(",\"rlimits\":true");

    int netns = 0;
    if (!network && geteuid() == 0) netns = unshare(CLONE_NEWNET) == 0;
    add(",\"netns\":%s", netns ? "true" : "false");

    if (geteuid() == 0) {
        // Never run a plugin as root: it must be given an install's own uid.
        if (uid <= 0 || gid <= 0) fail("running as root needs --uid and --gid above 0", EINVAL);
        if (setgroups(0, NULL) != 0) fail("setgroups", errno);
        if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) fail("setresgid", errno);
        if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) fail("setresuid", errno);
        add(",\"own_uid\":true");
    } else {
        add(",\"own_uid\":false");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs", errno);
    add(",\"no_new_privs\":true");
    // Landlock only when the caller says what the plugin may reach (its folders); the working directory is one of them.
    int landlock = 0;
    if (read_count + write_count > 0) {
        if (cwd != NULL && read_count < MAX_PATHS) reads[read_count++] = cwd;
        landlock = apply_landlock(reads, read_count, writes, write_count, network);
    }
    add(",\"landlock\":%s", landlock ? "true" : "false");
    apply_seccomp(network);
    add(",\"seccomp\":true,\"network\":%s}", network ? "true" : "false");
    // basic: rlimits, seccomp, no-new-privs (and an own uid when root); standard adds Landlock and, without a network
    // grant, a network namespace; strict would add a cgroup and bubblewrap, which this launcher does not apply.
    const char *level = landlock && (network || netns) ? "standard" : "basic";
    add(",\"level\":\"%s\",\"landlock_abi\":%d,\"uid\":%d}\n", level, landlock, (int)getuid());
    send_report();
    if (report_fd > 2) close(report_fd);

    execve(argv[index], &argv[index], environment);
    fprintf(stderr, "relay-plugin-launcher: cannot run %s: %s\n", argv[index], strerror(errno));
    return 127;
}
