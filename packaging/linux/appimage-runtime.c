/*
 * Cuesketch's AppImage runtime: the small static program at the head of the AppImage, followed
 * by the AppDir as a SquashFS image (type 2 AppImage layout).
 *
 * The usual runtime (from the AppImage project) mounts the image with FUSE and falls back to
 * extracting it. It is not packaged in Debian or on PyPI, so Cuesketch builds this one from
 * squashfuse's reader (libsquashfuse, Debian's libsquashfuse-dev), linked statically. It never
 * mounts: it always runs the way --appimage-extract-and-run does, so it needs no FUSE at all.
 *
 *   Cuesketch.AppImage [ARGS]                         extract (once) and run AppRun ARGS
 *   Cuesketch.AppImage --appimage-extract-and-run ... the same, by its usual name
 *   Cuesketch.AppImage --appimage-extract             extract into ./squashfs-root
 *   Cuesketch.AppImage --appimage-offset              where the image starts in the file
 *   Cuesketch.AppImage --appimage-version
 *
 * The image is extracted into $TMPDIR/appimage_extracted_<id> (/tmp by default), where <id>
 * names this AppImage's content (its size and the image's superblock, which holds its build
 * time and length): a second start finds it there and starts at once. Extraction goes to a
 * temporary folder renamed into place when complete, so a start that is interrupted, or two
 * starts at once, never run a half-made copy. Like the usual runtime it sets APPIMAGE (this
 * file), APPDIR, ARGV0 and OWD for the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <elf.h>
#include <squashfuse/squashfuse.h>
#include <squashfuse/squashfs_fs.h>

#define RUNTIME_VERSION "cuesketch-runtime 1"

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "Cuesketch AppImage: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

/* The image starts where this ELF file ends: after its section headers. */
static long elf_size(const char *path) {
    Elf64_Ehdr eh;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, &eh, sizeof eh);
    close(fd);
    if (n != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64)
        return -1;
    return (long)(eh.e_shoff + (uint64_t)eh.e_shentsize * eh.e_shnum);
}

static int mkdirs(const char *path, mode_t mode) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    return (mkdir(buf, mode) != 0 && errno != EEXIST) ? -1 : 0;
}

static int write_file(sqfs *fs, sqfs_inode *inode, const char *dest) {
    static char buf[1 << 20];
    mode_t mode = inode->base.mode & 07777;
    int fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC, mode ? mode : 0644);
    if (fd < 0) return -1;
    sqfs_off_t done = 0, total = (sqfs_off_t)inode->xtra.reg.file_size;
    while (done < total) {
        sqfs_off_t size = total - done < (sqfs_off_t)sizeof buf ? total - done
                                                               : (sqfs_off_t)sizeof buf;
        if (sqfs_read_range(fs, inode, done, &size, buf) != SQFS_OK || size <= 0) {
            close(fd);
            return -1;
        }
        for (sqfs_off_t w = 0; w < size;) {
            ssize_t n = write(fd, buf + w, (size_t)(size - w));
            if (n < 0) {
                close(fd);
                return -1;
            }
            w += n;
        }
        done += size;
    }
    return close(fd);
}

/* Everything in the image under dest (made if need be). */
static int extract(const char *image, long offset, const char *dest) {
    sqfs fs;
    sqfs_traverse trv;
    sqfs_err err = SQFS_OK;
    if (sqfs_open_image(&fs, image, (size_t)offset) != SQFS_OK)
        return fail("the image inside this AppImage can't be read", image);
    if (mkdirs(dest, 0755) != 0) return fail("can't make the folder", dest);
    if (sqfs_traverse_open(&trv, &fs, sqfs_inode_root(&fs)) != SQFS_OK)
        return fail("the image inside this AppImage can't be read", image);
    int rc = 0;
    while (rc == 0 && sqfs_traverse_next(&trv, &err)) {
        if (trv.dir_end) continue;
        char path[PATH_MAX];
        sqfs_inode inode;
        if (snprintf(path, sizeof path, "%s/%s", dest, trv.path) >= (int)sizeof path ||
            sqfs_inode_get(&fs, &inode, trv.entry.inode) != SQFS_OK) {
            rc = fail("a file in the image can't be read", trv.path);
            break;
        }
        switch (inode.base.inode_type) {
        case SQUASHFS_DIR_TYPE:
        case SQUASHFS_LDIR_TYPE:
            if (mkdirs(path, (inode.base.mode & 07777) | 0700) != 0)
                rc = fail("can't make the folder", path);
            break;
        case SQUASHFS_REG_TYPE:
        case SQUASHFS_LREG_TYPE:
            if (write_file(&fs, &inode, path) != 0) rc = fail("can't write", path);
            break;
        case SQUASHFS_SYMLINK_TYPE:
        case SQUASHFS_LSYMLINK_TYPE: {
            char target[PATH_MAX];
            size_t size = sizeof target;
            if (inode.xtra.symlink_size >= sizeof target ||
                sqfs_readlink(&fs, &inode, target, &size) != SQFS_OK ||
                (symlink(target, path) != 0 && errno != EEXIST))
                rc = fail("can't make the link", path);
            break;
        }
        default:  /* devices, fifos, sockets: an AppDir has none */
            break;
        }
    }
    if (err != SQFS_OK && rc == 0) rc = fail("the image inside this AppImage is damaged", image);
    sqfs_traverse_close(&trv);
    sqfs_destroy(&fs);
    return rc;
}

static int remove_tree(const char *path) {
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execv("/bin/rm", argv);
        _exit(127);
    }
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0 ? 0 : -1;
}

/* FNV-1a over this AppImage's size and its image's superblock: a name for its content. */
static uint64_t content_id(const char *self, long offset) {
    uint64_t h = 1469598103934665603ULL;
    struct stat st;
    unsigned char sb[sizeof(struct squashfs_super_block)];
    int fd = open(self, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0 || pread(fd, sb, sizeof sb, offset) != (ssize_t)sizeof sb) {
        if (fd >= 0) close(fd);
        return 0;
    }
    close(fd);
    for (size_t i = 0; i < sizeof st.st_size; i++) {
        h ^= (unsigned char)(st.st_size >> (8 * i));
        h *= 1099511628211ULL;
    }
    for (size_t i = 0; i < sizeof sb; i++) {
        h ^= sb[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int extract_and_run(const char *self, long offset, int argc, char **argv) {
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX - 64], part[PATH_MAX], apprun[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/appimage_extracted_%016llx", tmp && *tmp ? tmp : "/tmp",
             (unsigned long long)content_id(self, offset));
    snprintf(apprun, sizeof apprun, "%s/AppRun", dir);
    if (access(apprun, X_OK) != 0) {
        snprintf(part, sizeof part, "%s.part-%d", dir, (int)getpid());
        if (extract(self, offset, part) != 0) {
            remove_tree(part);
            return 1;
        }
        if (rename(part, dir) != 0) remove_tree(part);  /* another start was first: use its */
        if (access(apprun, X_OK) != 0) return fail("the AppImage has no AppRun", dir);
    }
    char owd[PATH_MAX];
    setenv("APPIMAGE", self, 1);
    setenv("APPDIR", dir, 1);
    setenv("ARGV0", argv[0], 1);
    if (getcwd(owd, sizeof owd)) setenv("OWD", owd, 1);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) return fail("out of memory", NULL);
    int n = 0;
    args[n++] = apprun;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--appimage-extract-and-run") != 0) args[n++] = argv[i];
    args[n] = NULL;
    execv(apprun, args);
    return fail("can't start", apprun);
}

int main(int argc, char **argv) {
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return fail("can't find this AppImage's own file", NULL);
    self[len] = 0;
    long offset = elf_size(self);
    if (offset <= 0) return fail("this AppImage's file is damaged", self);
    const char *first = argc > 1 ? argv[1] : "";
    if (strcmp(first, "--appimage-offset") == 0) {
        printf("%ld\n", offset);
        return 0;
    }
    if (strcmp(first, "--appimage-version") == 0) {
        printf("%s\n", RUNTIME_VERSION);
        return 0;
    }
    if (strcmp(first, "--appimage-extract") == 0) {
        if (extract(self, offset, "squashfs-root") != 0) return 1;
        printf("squashfs-root\n");
        return 0;
    }
    if (strcmp(first, "--appimage-help") == 0) {
        printf("Cuesketch AppImage (%s): runs by extracting itself once into $TMPDIR.\n"
               "  --appimage-extract            extract into ./squashfs-root\n"
               "  --appimage-extract-and-run    extract (once) and run (also the default)\n"
               "  --appimage-offset             where the image starts\n", RUNTIME_VERSION);
        return 0;
    }
    return extract_and_run(self, offset, argc, argv);
}
