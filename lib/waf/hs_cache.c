/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled Hyperscan databases kept on disk, so that a restart or a
 * reload of an unchanged rule set does not pay the compile again (the
 * CRS takes ~10 s to compile into per-source databases, ~0.1 s to read
 * back). A database is stored in Hyperscan's serialized form under a
 * name derived from everything that goes into its compile: Hyperscan's
 * version, the CPU it targets, the mode, and every pattern with its
 * flags and id. A file is used only if its own SHA-256 checks out and
 * Hyperscan accepts it; anything else is compiled afresh and the file
 * replaced. A set in which Hyperscan refuses a pattern (which then stays
 * with PCRE2 alone) leaves a file that says which (hs-*.err), so that a
 * warm load compiles nothing at all. The directory must not be writable by
 * group or others (whoever writes there decides what the rules match).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "waf_int.h"
#include "ww_conf.h"

#define CACHE_MAGIC	"WWHS0001"
#define CACHE_MAGIC_ERR "WWHE0001"   /* a pattern Hyperscan refused */
#define CACHE_HEADER	(8 + 32 + 8) /* magic, SHA-256 of payload, size */
/* Files not used by any load for this long are removed. */
#define CACHE_KEEP_S (14 * 24 * 3600)

void waf_hs_cache_open(struct ww_waf *w, const char *dir, bool only)
{
	struct waf_hs_cache *hc = &w->cache;
	struct stat st;

	memset(hc, 0, sizeof(*hc));
	hc->only = only;
	if (dir == NULL || dir[0] == '\0')
		return;
	if (strlen(dir) >= sizeof(hc->dir)) {
		ww_errf(hc->why, sizeof(hc->why), "%s: path too long", dir);
		return;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ww_errf(hc->why, sizeof(hc->why), "%s: %s", dir,
			strerror(errno));
		return;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ww_errf(hc->why, sizeof(hc->why), "%s: not a directory", dir);
		return;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		ww_errf(hc->why, sizeof(hc->why),
			"%s: writable by group or others, not used", dir);
		return;
	}
	strcpy(hc->dir, dir);
	hc->enabled = true;
}

/* The file name for one compile's inputs (false: no digest to be had). */
static bool cache_path(const struct waf_hs_cache *hc, const char *const *expr,
		       const unsigned int *flags, const unsigned int *ids,
		       const size_t *lens, unsigned int n, char *path,
		       size_t path_len)
{
	static const char hex[] = "0123456789abcdef";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	char name[2 * 32 + 1];
	hs_platform_info_t plat;
	const char *ver = hs_version();
	unsigned int i, dl = 0;
	const uint32_t literal = lens != NULL;

	if (md == NULL)
		return false;
	memset(&plat, 0, sizeof(plat));
	hs_populate_platform(&plat);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, CACHE_MAGIC, 8);
	EVP_DigestUpdate(md, ver, strlen(ver) + 1);
	EVP_DigestUpdate(md, &plat, sizeof(plat));
	EVP_DigestUpdate(md, &literal, sizeof(literal));
	EVP_DigestUpdate(md, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		const uint64_t len = lens ? lens[i] : strlen(expr[i]);

		EVP_DigestUpdate(md, &flags[i], sizeof(flags[i]));
		EVP_DigestUpdate(md, &ids[i], sizeof(ids[i]));
		EVP_DigestUpdate(md, &len, sizeof(len));
		EVP_DigestUpdate(md, expr[i], len);
	}
	EVP_DigestFinal_ex(md, d, &dl);
	EVP_MD_CTX_free(md);
	for (i = 0; i < 32; i++) {
		name[2 * i] = hex[d[i] >> 4];
		name[2 * i + 1] = hex[d[i] & 15];
	}
	name[64] = '\0';
	snprintf(path, path_len, "%s/hs-%s.db", hc->dir, name);
	return true;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int dl = 0;

	EVP_Digest(p, n, out, &dl, EVP_sha256(), NULL);
}

/* The payload of the file at @path if its header checks out (magic
 * @magic, size, SHA-256), or NULL; *@len its bytes. Freed by the caller.
 * A file that is used gets a new time stamp (not pruned). */
static unsigned char *cache_read(const char *path, const char *magic,
				 uint64_t *len)
{
	unsigned char *buf = NULL, d[32];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < CACHE_HEADER ||
	    st.st_size > (1 << 30))
		goto fail;
	buf = malloc((size_t)st.st_size);
	if (buf == NULL ||
	    read(fd, buf, (size_t)st.st_size) != (ssize_t)st.st_size)
		goto fail;
	memcpy(len, buf + 40, 8);
	if (memcmp(buf, magic, 8) != 0 ||
	    *len != (uint64_t)st.st_size - CACHE_HEADER)
		goto fail;
	sha256(buf + CACHE_HEADER, *len, d);
	if (memcmp(d, buf + 8, 32) != 0)
		goto fail;
	futimens(fd, NULL);
	close(fd);
	memmove(buf, buf + CACHE_HEADER, *len);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* Store @len bytes at @path under @magic (via a temporary file and
 * rename, so a reader never sees half a file). */
static int cache_write(const char *path, const char *magic, const void *bytes,
		       size_t len)
{
	char tmp[PATH_MAX + 32];
	unsigned char head[CACHE_HEADER];
	uint64_t len64 = len;
	int fd, rc = 0;

	memcpy(head, magic, 8);
	sha256(bytes, len, head + 8);
	memcpy(head + 40, &len64, 8);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, head, sizeof(head)) != (ssize_t)sizeof(head) ||
	    write(fd, bytes, len) != (ssize_t)len)
		rc = -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* A refusal stored in the cache: the pattern Hyperscan refused, then
 * its message. */
struct refusal {
	uint32_t expression;
	char message[256];
};

static void note_write_failed(struct waf_hs_cache *hc, int rc)
{
	hc->write_failed++;
	if (hc->why[0] == '\0')
		ww_errf(hc->why, sizeof(hc->why), "%s: %s", hc->dir,
			strerror(-rc));
}

/* Read @n patterns' database from the cache at @path (.db), or the
 * pattern Hyperscan refused in it (.err). @return 0 (*@db), -EINVAL
 * (*@he), -ENOENT (neither there). */
static int from_cache(char *path, unsigned int n, hs_database_t **db,
		      struct waf_hs_error *he)
{
	size_t pl = strlen(path);
	unsigned char *bytes;
	uint64_t len;

	bytes = cache_read(path, CACHE_MAGIC, &len);
	if (bytes != NULL) {
		if (hs_deserialize_database((const char *)bytes, len, db) !=
		    HS_SUCCESS)
			*db = NULL;
		free(bytes);
		if (*db != NULL)
			return 0;
	}
	strcpy(path + pl - 3, ".err");
	bytes = cache_read(path, CACHE_MAGIC_ERR, &len);
	path[pl - 3] = '\0';
	strcat(path, ".db");
	if (bytes == NULL)
		return -ENOENT;
	if (len == sizeof(struct refusal)) {
		struct refusal r;

		memcpy(&r, bytes, sizeof(r));
		r.message[sizeof(r.message) - 1] = '\0';
		if (r.expression < n) {
			he->expression = (int)r.expression;
			snprintf(he->message, sizeof(he->message), "%s",
				 r.message);
			free(bytes);
			return -EINVAL;
		}
	}
	free(bytes);
	return -ENOENT;
}

int waf_hs_compile(struct ww_waf *w, const char *const *expr,
		   const unsigned int *flags, const unsigned int *ids,
		   const size_t *lens, unsigned int n, hs_database_t **db,
		   struct waf_hs_error *he)
{
	struct waf_hs_cache *hc = &w->cache;
	char path[PATH_MAX];
	const bool cached =
		hc->enabled &&
		cache_path(hc, expr, flags, ids, lens, n, path, sizeof(path));
	hs_compile_error_t *ce = NULL;
	char *bytes = NULL;
	size_t len = 0;
	hs_error_t e;
	int rc;

	*db = NULL;
	he->expression = -1;
	he->message[0] = '\0';
	if (cached) {
		rc = from_cache(path, n, db, he);
		if (rc == 0)
			hc->hits++;
		if (rc != -ENOENT)
			return rc;
	}
	if (hc->only) {
		hc->missed = true;
		return -EAGAIN;
	}
	e = lens ? hs_compile_lit_multi(expr, flags, ids, lens, n,
					HS_MODE_BLOCK, NULL, db, &ce)
		 : hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL,
				    db, &ce);
	if (e != HS_SUCCESS) {
		he->expression = ce != NULL ? ce->expression : -1;
		snprintf(he->message, sizeof(he->message), "%s",
			 ce != NULL ? ce->message : "Hyperscan compile failed");
		hs_free_compile_error(ce);
		/* A pattern it refuses is refused again next time: the
		 * refusal is kept too, so that a warm load compiles nothing.
		 * (Not a failure of the whole set: it may be a resource
		 * limit of this run.) */
		if (cached && he->expression >= 0) {
			struct refusal r = {.expression =
						    (uint32_t)he->expression};
			size_t pl = strlen(path);

			snprintf(r.message, sizeof(r.message), "%s",
				 he->message);
			strcpy(path + pl - 3, ".err");
			rc = cache_write(path, CACHE_MAGIC_ERR, &r, sizeof(r));
			if (rc < 0)
				note_write_failed(hc, rc);
		}
		return -EINVAL;
	}
	hc->compiled++;
	if (!cached)
		return 0;
	if (hs_serialize_database(*db, &bytes, &len) != HS_SUCCESS)
		rc = -ENOMEM;
	else
		rc = cache_write(path, CACHE_MAGIC, bytes, len);
	free(bytes);
	if (rc < 0)
		note_write_failed(hc, rc);
	return 0;
}

void waf_hs_cache_prune(struct ww_waf *w)
{
	struct waf_hs_cache *hc = &w->cache;
	const time_t old = time(NULL) - CACHE_KEEP_S;
	DIR *d;
	struct dirent *de;

	if (!hc->enabled || (d = opendir(hc->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, "hs-", 3) != 0 || l < 4 ||
		    (strcmp(de->d_name + l - 3, ".db") != 0 &&
		     strcmp(de->d_name + l - 4, ".err") != 0 &&
		     strcmp(de->d_name + l - 4, ".tmp") != 0))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    st.st_mtime < old)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}
