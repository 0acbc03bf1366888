/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @detectSQLi: is a value an SQL injection? (What libinjection does for
 * ModSecurity, written from its published description and from the SQL
 * grammars; neither its code nor its fingerprint list is used.)
 *
 * Contexts. An injection works only if, pasted into the application's
 * query, it reads as SQL from its very first byte. So a value is read up
 * to three times, once per place it could have been pasted into: bare (a
 * number or a name in the query), after a single quote, after a double
 * quote. In a quote context the value first finishes the string that the
 * application opened; if it never does, that context is harmless (and is
 * skipped when the value holds no such quote at all).
 *
 * Lexer. One pass, the union of the MySQL, PostgreSQL, MSSQL, Oracle and
 * SQLite syntax: -- and # comments, block comments (a closed one is a
 * blank; one left open, like a line comment reaching the end of the
 * value, is a "c" token: the rest of the query is cut off), MySQL
 * executable comments whose body is read as SQL, '' "" strings with
 * doubled quotes, N'' X'' B'' E'' (backslash escapes) _charset'' q'[..]'
 * and $tag$..$tag$ strings, backtick and [bracket] names, a.b..c names,
 * 0x 0b 1e1 .1 1. numbers, @x @@x :x $1 variables, and the operators
 * (|| && <=> := :: -> ...). Backslash is no escape in '' and "" (standard
 * SQL), so "x\' or 1=1" breaks out, as it does everywhere but on MySQL.
 *
 * Token classes (the fingerprint letters): s string, n number (NULL, TRUE
 * and FALSE too), 1 name, v variable, f function (a name followed by
 * "("), k keyword, U UNION-like, E statement (SELECT, DROP, EXEC,
 * WAITFOR...), o operator (LIKE, IN, IS, NOT...), & logic (AND OR XOR &&
 * ||), c comment, ( ) , ; and ? for a byte SQL cannot start with.
 *
 * Grammar. The tokens drive an expression automaton (expecting an
 * operand, after an operand, after UNION, after ";"...) with a fixed
 * stack of parentheses: group, call or subquery. A token that SQL cannot
 * take there ends the context: text stops being SQL within a word or two
 * ("1 or 2 people", "O'Brien", "select the best option"); SQL goes on.
 *
 * Injected at once on:
 *  - UNION [ALL] [(] SELECT; a subquery "(SELECT v" whose first item is a
 *    value, a function or "*" (or a name then FROM or ",");
 *  - a statement after ";" that reads as one: SELECT v, DROP TABLE x,
 *    CREATE OR REPLACE FUNCTION, INSERT INTO, DELETE FROM, UPDATE x SET,
 *    EXEC xp_.., DECLARE @x, SET @x, SHUTDOWN, WAITFOR DELAY, CALL f(,
 *    BEGIN sleep(; WAITFOR, EXEC, DECLARE and BEGIN also without ";"
 *    (MSSQL: "foo')waitfor delay'0:0:5'");
 *  - a time, file or error function (sleep, benchmark, pg_sleep,
 *    load_file, extractvalue, updatexml, utl_inaddr...) called anywhere
 *    after the first operand; INTO OUTFILE/DUMPFILE;
 *  - right after the first operand and the parentheses it closes, where
 *    SQL takes no call but scanners put one: such a function, a known
 *    function holding a comparison ("1') elt(1=1,2)"), "(SELECT v";
 *  - in a quote context, an expression going on after the quote with two
 *    operators of two kinds ("' | type %x%"; text repeats one separator:
 *    "a/b/c", "%s %d", and "-x -y" are options, not arithmetic).
 * Then, when an expression clause ends (next AND/OR/WHERE/HAVING, its
 * ")", ";", UNION, ORDER BY, LIMIT, a cut-off comment, the end):
 *  - a clause after a logic operator holding a comparison with a value
 *    ("' or 'a'='a", "1 or 1=1", "' and 526=527"), a function, a
 *    subquery or an @@variable; in a quote context also a lone number,
 *    variable or the string the application's quote closes ("' or '1");
 *  - in a quote context, a comparison right after the quote: "1'='1".
 * A clause cut by a token SQL does not take there ("1 or 1=1 people")
 * still counts with a comparison and a value, not with a lone value.
 * Then at the end:
 *  - a comment after a complete operand or ";" cutting the query off
 *    after a closing quote ("admin'--", "') #"), or, bare, after a
 *    closing parenthesis, a logic operator, ORDER BY or ";" ("1) --",
 *    "1 or 2 --", "1;--");
 *  - ORDER/GROUP BY <number> after a closing quote ("1' order by 3");
 *  - a whole value that is one call to one of those functions
 *    ("sleep(20)", "benchmark(9,md5(1))").
 *
 * Text. Two things keep prose from reading as SQL:
 *  - a bare value starting with a plain word ("admin", "cats or dogs") is
 *    weak until it closes one of the application's parentheses: it needs
 *    a comparison with a value, a function, a subquery or a confirmed
 *    UNION SELECT; comments, statements, ORDER BY and clauses cut short
 *    do not count;
 *  - a quote after a blank or ( [ { = , : opens a phrase ("the '=' key",
 *    "in '/usr/share'", "not 'and'"): there a clause needs what it needs
 *    in a weak value, and statements without ";", chained operators, a
 *    call right after the quote or a comment right after it do not count.
 * Nor is a comment a cut when it holds the context's quote after a quote
 * that opens a phrase or the value ("'--keep'"), or when it is "--name"
 * (MySQL does not even take "--" without a blank after it as a comment).
 *
 * Length. There is no token window: a context is read until the grammar
 * rejects it, a decision is reached or the value ends. Harmless SQL put
 * in front of an injection (1+1+1..., ((((, empty comments, "1 and 1
 * and ...") is read through; anything else in front makes the query
 * invalid for the database too. Work is linear: one pass per context, a
 * lookahead of four tokens at most at some keywords.
 *
 * Not covered: a value pasted into a `backtick` name, nested PostgreSQL
 * comments, comments holding the quote after a quote that opens the
 * value ("'--'"), "--x" comments (PostgreSQL, MSSQL, Oracle).
 *
 * The fingerprint is the classes of the last seven tokens read, ending at
 * the one that decided.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ww_inject.h"

/* Token classes, also the fingerprint letters. */
enum {
	C_END = 0,
	C_STR = 's',
	C_NUM = 'n',
	C_WORD = '1',
	C_VAR = 'v',
	C_FUNC = 'f',
	C_KW = 'k',
	C_UNION = 'U',
	C_STMT = 'E',
	C_OP = 'o',
	C_LOGIC = '&',
	C_CMT = 'c',
	C_LPAR = '(',
	C_RPAR = ')',
	C_COMMA = ',',
	C_SEMI = ';',
	C_BAD = '?',
};

/* Operator properties. */
#define O_BIN	0x01 /* binary */
#define O_UNARY 0x02 /* prefix */
#define O_CMP	0x04 /* comparison */
#define O_STAR	0x08 /* "*": also "every column" */

/* Keyword properties. */
#define KF_CALL	  0x01 /* followed by "(" it is a function call */
#define KF_FUNC	  0x02 /* a known function */
#define KF_DANGER 0x04 /* typical of injections: time, file, error based */
#define KF_TWO	  0x08 /* ... taking two arguments or more */
#define KF_PREFIX 0x10 /* may start an operand: CASE, EXISTS, DISTINCT... */

/* Keywords the grammar tells apart. */
enum {
	KW_NONE,
	KW_NOT,
	KW_LIKE,
	KW_CMPWORD,
	KW_SOUNDS,
	KW_BINWORD,
	KW_SELECT,
	KW_INSERT,
	KW_UPDATE,
	KW_DELETE,
	KW_DDL,
	KW_EXEC,
	KW_DECLARE,
	KW_SET,
	KW_SHUTDOWN,
	KW_WAITFOR,
	KW_LOAD,
	KW_BEGIN,
	KW_CALL,
	KW_MODEWORD,
	KW_MODE,
	KW_ALL,
	KW_CASEMID,
	KW_END,
	KW_FROM,
	KW_FOR,
	KW_WHERE,
	KW_HAVING,
	KW_ON,
	KW_ORDER,
	KW_BY,
	KW_LIMIT,
	KW_INTO,
	KW_OUTFILE,
	KW_AS,
	KW_ASC,
	KW_JOIN,
	KW_JOINMOD,
	KW_NATURAL,
	KW_IF,
	KW_WITH,
	KW_IGNORE,
	KW_OBJ,
	KW_PROCEDURE,
	KW_DELAY,
	KW_DATA,
};

struct kw {
	const char *name;
	uint8_t cls;
	uint8_t id;
	uint8_t flags;
	uint8_t op;
};

#define FN   (KF_CALL | KF_FUNC)
#define DFN  (FN | KF_DANGER)
#define DFN2 (DFN | KF_TWO)

/* Sorted by name (bytewise) for the binary search in kw_lookup(). */
static const struct kw kw_table[] = {
	{"abs", C_WORD, KW_NONE, FN, 0},
	{"all", C_KW, KW_ALL, KF_PREFIX, 0},
	{"alter", C_STMT, KW_DDL, 0, 0},
	{"and", C_LOGIC, KW_NONE, 0, 0},
	{"any", C_KW, KW_NONE, KF_PREFIX, 0},
	{"as", C_KW, KW_AS, 0, 0},
	{"asc", C_KW, KW_ASC, 0, 0},
	{"ascii", C_WORD, KW_NONE, FN, 0},
	{"avg", C_WORD, KW_NONE, FN, 0},
	{"begin", C_STMT, KW_BEGIN, 0, 0},
	{"benchmark", C_WORD, KW_NONE, DFN2, 0},
	{"between", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"bin", C_WORD, KW_NONE, FN, 0},
	{"binary", C_KW, KW_NONE, KF_PREFIX, 0},
	{"boolean", C_WORD, KW_MODEWORD, 0, 0},
	{"by", C_KW, KW_BY, 0, 0},
	{"call", C_STMT, KW_CALL, 0, 0},
	{"case", C_KW, KW_NONE, KF_PREFIX, 0},
	{"cast", C_WORD, KW_NONE, FN, 0},
	{"ceil", C_WORD, KW_NONE, FN, 0},
	{"ceiling", C_WORD, KW_NONE, FN, 0},
	{"char", C_WORD, KW_NONE, FN, 0},
	{"char_length", C_WORD, KW_NONE, FN, 0},
	{"character_length", C_WORD, KW_NONE, FN, 0},
	{"chr", C_WORD, KW_NONE, FN, 0},
	{"coalesce", C_WORD, KW_NONE, FN, 0},
	{"collate", C_OP, KW_BINWORD, 0, O_BIN},
	{"column", C_KW, KW_OBJ, 0, 0},
	{"concat", C_WORD, KW_NONE, FN, 0},
	{"concat_ws", C_WORD, KW_NONE, FN, 0},
	{"conv", C_WORD, KW_NONE, FN, 0},
	{"convert", C_WORD, KW_NONE, FN, 0},
	{"count", C_WORD, KW_NONE, FN, 0},
	{"crc32", C_WORD, KW_NONE, FN, 0},
	{"create", C_STMT, KW_DDL, 0, 0},
	{"cross", C_KW, KW_JOINMOD, 0, 0},
	{"ctxsys.drithsx.sn", C_WORD, KW_NONE, DFN, 0},
	{"current_database", C_WORD, KW_NONE, FN, 0},
	{"current_date", C_FUNC, KW_NONE, FN, 0},
	{"current_setting", C_WORD, KW_NONE, FN, 0},
	{"current_time", C_FUNC, KW_NONE, FN, 0},
	{"current_timestamp", C_FUNC, KW_NONE, FN, 0},
	{"current_user", C_FUNC, KW_NONE, FN, 0},
	{"data", C_WORD, KW_DATA, 0, 0},
	{"database", C_KW, KW_OBJ, FN, 0},
	{"db_name", C_WORD, KW_NONE, FN, 0},
	{"dbms_lock.sleep", C_WORD, KW_NONE, DFN, 0},
	{"dbms_pipe.receive_message", C_WORD, KW_NONE, DFN, 0},
	{"declare", C_STMT, KW_DECLARE, 0, 0},
	{"delay", C_WORD, KW_DELAY, 0, 0},
	{"delete", C_STMT, KW_DELETE, 0, 0},
	{"desc", C_KW, KW_ASC, 0, 0},
	{"distinct", C_KW, KW_ALL, KF_PREFIX, 0},
	{"distinctrow", C_KW, KW_ALL, KF_PREFIX, 0},
	{"div", C_OP, KW_BINWORD, 0, O_BIN},
	{"drop", C_STMT, KW_DDL, 0, 0},
	{"dumpfile", C_WORD, KW_OUTFILE, 0, 0},
	{"else", C_KW, KW_CASEMID, 0, 0},
	{"elt", C_WORD, KW_NONE, FN, 0},
	{"end", C_KW, KW_END, 0, 0},
	{"escape", C_OP, KW_BINWORD, 0, O_BIN},
	{"event", C_WORD, KW_OBJ, 0, 0},
	{"except", C_UNION, KW_NONE, 0, 0},
	{"exec", C_STMT, KW_EXEC, 0, 0},
	{"execute", C_STMT, KW_EXEC, 0, 0},
	{"exists", C_KW, KW_NONE, KF_PREFIX, 0},
	{"exp", C_WORD, KW_NONE, FN, 0},
	{"extract", C_WORD, KW_NONE, FN, 0},
	{"extractvalue", C_WORD, KW_NONE, DFN2, 0},
	{"false", C_NUM, KW_NONE, 0, 0},
	{"field", C_WORD, KW_NONE, FN, 0},
	{"find_in_set", C_WORD, KW_NONE, FN, 0},
	{"floor", C_WORD, KW_NONE, FN, 0},
	{"for", C_KW, KW_FOR, 0, 0},
	{"format", C_WORD, KW_NONE, FN, 0},
	{"from", C_KW, KW_FROM, 0, 0},
	{"function", C_KW, KW_OBJ, 0, 0},
	{"geometrycollection", C_WORD, KW_NONE, DFN, 0},
	{"glob", C_OP, KW_CMPWORD, FN, O_BIN | O_CMP},
	{"group", C_KW, KW_ORDER, 0, 0},
	{"group_concat", C_WORD, KW_NONE, FN, 0},
	{"gtid_subset", C_WORD, KW_NONE, DFN, 0},
	{"having", C_KW, KW_HAVING, 0, 0},
	{"hex", C_WORD, KW_NONE, FN, 0},
	{"host_name", C_WORD, KW_NONE, FN, 0},
	{"if", C_KW, KW_IF, FN, 0},
	{"ifnull", C_WORD, KW_NONE, FN, 0},
	{"ignore", C_KW, KW_IGNORE, 0, 0},
	{"iif", C_WORD, KW_NONE, FN, 0},
	{"ilike", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"in", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"index", C_KW, KW_OBJ, 0, 0},
	{"inner", C_KW, KW_JOINMOD, 0, 0},
	{"insert", C_STMT, KW_INSERT, FN, 0},
	{"instr", C_WORD, KW_NONE, FN, 0},
	{"intersect", C_UNION, KW_NONE, 0, 0},
	{"interval", C_KW, KW_NONE, KF_PREFIX | FN, 0},
	{"into", C_KW, KW_INTO, 0, 0},
	{"is", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"is_srvrolemember", C_WORD, KW_NONE, FN, 0},
	{"isnull", C_WORD, KW_NONE, FN, 0},
	{"join", C_KW, KW_JOIN, 0, 0},
	{"json_extract", C_WORD, KW_NONE, FN, 0},
	{"language", C_WORD, KW_MODEWORD, 0, 0},
	{"last_insert_id", C_WORD, KW_NONE, FN, 0},
	{"lcase", C_WORD, KW_NONE, FN, 0},
	{"left", C_KW, KW_JOINMOD, FN, 0},
	{"len", C_WORD, KW_NONE, FN, 0},
	{"length", C_WORD, KW_NONE, FN, 0},
	{"like", C_OP, KW_LIKE, FN, O_BIN | O_CMP},
	{"limit", C_KW, KW_LIMIT, 0, 0},
	{"linestring", C_WORD, KW_NONE, DFN, 0},
	{"lo_export", C_WORD, KW_NONE, DFN, 0},
	{"lo_import", C_WORD, KW_NONE, DFN, 0},
	{"load", C_STMT, KW_LOAD, 0, 0},
	{"load_file", C_WORD, KW_NONE, DFN, 0},
	{"login", C_WORD, KW_OBJ, 0, 0},
	{"lower", C_WORD, KW_NONE, FN, 0},
	{"lpad", C_WORD, KW_NONE, FN, 0},
	{"ltrim", C_WORD, KW_NONE, FN, 0},
	{"make_set", C_WORD, KW_NONE, FN, 0},
	{"max", C_WORD, KW_NONE, FN, 0},
	{"md5", C_WORD, KW_NONE, FN, 0},
	{"mid", C_WORD, KW_NONE, FN, 0},
	{"min", C_WORD, KW_NONE, FN, 0},
	{"minus", C_UNION, KW_NONE, 0, 0},
	{"mod", C_OP, KW_BINWORD, FN, O_BIN},
	{"mode", C_WORD, KW_MODE, 0, 0},
	{"multilinestring", C_WORD, KW_NONE, DFN, 0},
	{"multipoint", C_WORD, KW_NONE, DFN, 0},
	{"multipolygon", C_WORD, KW_NONE, DFN, 0},
	{"name_const", C_WORD, KW_NONE, DFN, 0},
	{"natural", C_KW, KW_NATURAL, 0, 0},
	{"nchar", C_WORD, KW_NONE, FN, 0},
	{"not", C_OP, KW_NOT, 0, O_UNARY},
	{"now", C_WORD, KW_NONE, FN, 0},
	{"null", C_NUM, KW_NONE, 0, 0},
	{"nullif", C_WORD, KW_NONE, FN, 0},
	{"nvl", C_WORD, KW_NONE, FN, 0},
	{"object_id", C_WORD, KW_NONE, FN, 0},
	{"oct", C_WORD, KW_NONE, FN, 0},
	{"offset", C_KW, KW_LIMIT, 0, 0},
	{"on", C_KW, KW_ON, 0, 0},
	{"opendatasource", C_WORD, KW_NONE, FN, 0},
	{"openquery", C_WORD, KW_NONE, FN, 0},
	{"openrowset", C_WORD, KW_NONE, FN, 0},
	{"or", C_LOGIC, KW_NONE, 0, 0},
	{"ord", C_WORD, KW_NONE, FN, 0},
	{"order", C_KW, KW_ORDER, 0, 0},
	{"outer", C_KW, KW_JOINMOD, 0, 0},
	{"outfile", C_KW, KW_OUTFILE, 0, 0},
	{"pg_ls_dir", C_WORD, KW_NONE, DFN, 0},
	{"pg_read_file", C_WORD, KW_NONE, DFN, 0},
	{"pg_sleep", C_WORD, KW_NONE, DFN, 0},
	{"polygon", C_WORD, KW_NONE, DFN, 0},
	{"position", C_WORD, KW_NONE, FN, 0},
	{"pow", C_WORD, KW_NONE, FN, 0},
	{"power", C_WORD, KW_NONE, FN, 0},
	{"proc", C_WORD, KW_OBJ, 0, 0},
	{"procedure", C_KW, KW_PROCEDURE, 0, 0},
	{"quote", C_WORD, KW_NONE, FN, 0},
	{"quotename", C_WORD, KW_NONE, FN, 0},
	{"rand", C_WORD, KW_NONE, FN, 0},
	{"randomblob", C_WORD, KW_NONE, DFN, 0},
	{"regexp", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"rename", C_STMT, KW_DDL, 0, 0},
	{"repeat", C_WORD, KW_NONE, FN, 0},
	{"replace", C_STMT, KW_INSERT, FN, 0},
	{"reverse", C_WORD, KW_NONE, FN, 0},
	{"right", C_KW, KW_JOINMOD, FN, 0},
	{"rlike", C_OP, KW_CMPWORD, 0, O_BIN | O_CMP},
	{"round", C_WORD, KW_NONE, FN, 0},
	{"row", C_WORD, KW_NONE, FN, 0},
	{"row_count", C_WORD, KW_NONE, FN, 0},
	{"rpad", C_WORD, KW_NONE, FN, 0},
	{"rtrim", C_WORD, KW_NONE, FN, 0},
	{"schema", C_KW, KW_OBJ, FN, 0},
	{"select", C_STMT, KW_SELECT, 0, 0},
	{"sequence", C_WORD, KW_OBJ, 0, 0},
	{"session_user", C_FUNC, KW_NONE, FN, 0},
	{"set", C_STMT, KW_SET, 0, 0},
	{"sha1", C_WORD, KW_NONE, FN, 0},
	{"sha2", C_WORD, KW_NONE, FN, 0},
	{"shutdown", C_STMT, KW_SHUTDOWN, 0, 0},
	{"sign", C_WORD, KW_NONE, FN, 0},
	{"sleep", C_WORD, KW_NONE, DFN, 0},
	{"some", C_KW, KW_NONE, KF_PREFIX, 0},
	{"sounds", C_OP, KW_SOUNDS, 0, 0},
	{"space", C_WORD, KW_NONE, FN, 0},
	{"sqrt", C_WORD, KW_NONE, FN, 0},
	{"straight_join", C_KW, KW_JOINMOD, 0, 0},
	{"strcmp", C_WORD, KW_NONE, FN, 0},
	{"stuff", C_WORD, KW_NONE, FN, 0},
	{"substr", C_WORD, KW_NONE, FN, 0},
	{"substring", C_WORD, KW_NONE, FN, 0},
	{"substring_index", C_WORD, KW_NONE, FN, 0},
	{"sum", C_WORD, KW_NONE, FN, 0},
	{"suser_name", C_WORD, KW_NONE, FN, 0},
	{"sys_context", C_WORD, KW_NONE, FN, 0},
	{"system_user", C_FUNC, KW_NONE, FN, 0},
	{"table", C_KW, KW_OBJ, 0, 0},
	{"temporary", C_WORD, KW_OBJ, 0, 0},
	{"then", C_KW, KW_CASEMID, 0, 0},
	{"time", C_WORD, KW_DELAY, FN, 0},
	{"to_char", C_WORD, KW_NONE, FN, 0},
	{"top", C_KW, KW_ALL, KF_PREFIX, 0},
	{"trigger", C_KW, KW_OBJ, 0, 0},
	{"trim", C_WORD, KW_NONE, FN, 0},
	{"true", C_NUM, KW_NONE, 0, 0},
	{"truncate", C_STMT, KW_DDL, FN, 0},
	{"ucase", C_WORD, KW_NONE, FN, 0},
	{"unhex", C_WORD, KW_NONE, FN, 0},
	{"unicode", C_WORD, KW_NONE, FN, 0},
	{"union", C_UNION, KW_NONE, 0, 0},
	{"update", C_STMT, KW_UPDATE, 0, 0},
	{"updatexml", C_WORD, KW_NONE, DFN2, 0},
	{"upper", C_WORD, KW_NONE, FN, 0},
	{"user", C_WORD, KW_OBJ, FN, 0},
	{"user_lock.sleep", C_WORD, KW_NONE, DFN, 0},
	{"using", C_OP, KW_BINWORD, 0, O_BIN},
	{"utl_http.request", C_WORD, KW_NONE, DFN, 0},
	{"utl_inaddr.get_host_address", C_WORD, KW_NONE, DFN, 0},
	{"utl_inaddr.get_host_name", C_WORD, KW_NONE, DFN, 0},
	{"uuid", C_WORD, KW_NONE, FN, 0},
	{"version", C_WORD, KW_NONE, FN, 0},
	{"view", C_WORD, KW_OBJ, 0, 0},
	{"waitfor", C_STMT, KW_WAITFOR, 0, 0},
	{"when", C_KW, KW_CASEMID, KF_PREFIX, 0},
	{"where", C_KW, KW_WHERE, 0, 0},
	{"with", C_KW, KW_WITH, 0, 0},
	{"xml", C_WORD, KW_DATA, 0, 0},
	{"xmltype", C_WORD, KW_NONE, DFN, 0},
	{"xor", C_LOGIC, KW_NONE, 0, 0},
	{"xp_cmdshell", C_WORD, KW_NONE, DFN, 0},
	{"xp_dirtree", C_WORD, KW_NONE, DFN, 0},
};

#define KW_MAXLEN 27 /* longest name in kw_table */

static const struct kw *kw_lookup(const uint8_t *w, size_t len)
{
	char low[KW_MAXLEN + 1];
	size_t i, lo = 0, hi = sizeof(kw_table) / sizeof(kw_table[0]);

	if (len > KW_MAXLEN)
		return NULL;
	for (i = 0; i < len; i++)
		low[i] =
			(char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] | 0x20 : w[i]);
	low[len] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = kw_table[mid].name;
		int c = (unsigned char)low[0] - (unsigned char)k[0];

		if (c == 0)
			c = strcmp(low, k);
		if (c == 0)
			return &kw_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static inline bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_xdigit(uint8_t c)
{
	return is_digit(c) || (uint8_t)((c | 0x20) - 'a') < 6;
}

/* Identifier bytes: letters, "_", and any non-ASCII byte (UTF-8 names). */
static inline bool is_wstart(uint8_t c)
{
	return (uint8_t)((c | 0x20) - 'a') < 26 || c == '_' || c >= 0x80;
}

static inline bool is_wchar(uint8_t c)
{
	return is_wstart(c) || is_digit(c) || c == '$';
}

/* Blanks: space and every control byte, NUL included. */
static inline bool is_space(uint8_t c)
{
	return c <= ' ' || c == 0x7f;
}

struct lexer {
	const uint8_t *s;
	size_t len;
	size_t pos;
	bool exec; /* inside a MySQL executable comment */
};

struct token {
	uint8_t cls;
	uint8_t id;    /* KW_*, KW_NONE for a name */
	uint8_t flags; /* KF_* */
	uint8_t op;    /* O_* */
	bool paren;    /* a function name followed by "(" */
	bool sysvar;   /* @@name */
	bool open;     /* a string the value ends in */
	size_t pos;
	size_t len;
};

/*
 * The end of a quoted string or name whose opening quote is just before
 * @i: the index past the closing quote, or @n with *open set when the
 * value ends first. A doubled quote stays inside; with @bs a backslash
 * escapes the next byte.
 */
static size_t quoted(const uint8_t *s, size_t n, size_t i, uint8_t q, bool bs,
		     bool *open)
{
	for (;;) {
		if (!bs) {
			const uint8_t *p =
				i < n ? memchr(s + i, q, n - i) : NULL;

			if (p == NULL)
				break;
			i = (size_t)(p - s) + 1;
		} else {
			while (i < n && s[i] != q)
				i += s[i] == '\\' ? 2 : 1;
			if (i >= n)
				break;
			i++;
		}
		if (i < n && s[i] == q) {
			i++;
			continue;
		}
		*open = false;
		return i;
	}
	*open = true;
	return n;
}

/* The index past the end of a block comment whose body starts at @i. */
static bool block_end(const uint8_t *s, size_t n, size_t i, size_t *end)
{
	while (i + 1 < n) {
		const uint8_t *p = memchr(s + i, '*', n - 1 - i);

		if (p == NULL)
			return false;
		i = (size_t)(p - s);
		if (s[i + 1] == '/') {
			*end = i + 2;
			return true;
		}
		i++;
	}
	return false;
}

/* Is the next token "("? Blanks and closed comments may come between. */
static bool next_is_lparen(const uint8_t *s, size_t n, size_t i)
{
	for (;;) {
		while (i < n && is_space(s[i]))
			i++;
		if (i + 1 < n && s[i] == '/' && s[i + 1] == '*' &&
		    !(i + 2 < n && s[i + 2] == '!')) {
			if (!block_end(s, n, i + 2, &i))
				return false;
			continue;
		}
		return i < n && s[i] == '(';
	}
}

/* Oracle q'<delim>...<delim>' quoting; @i is on the quote after "q". */
static size_t q_quoted(const uint8_t *s, size_t n, size_t i, bool *open)
{
	uint8_t close;

	*open = true;
	if (i + 1 >= n)
		return n;
	switch (s[i + 1]) {
	case '[':
		close = ']';
		break;
	case '{':
		close = '}';
		break;
	case '(':
		close = ')';
		break;
	case '<':
		close = '>';
		break;
	default:
		close = s[i + 1];
	}
	for (i += 2; i + 1 < n; i++)
		if (s[i] == close && s[i + 1] == '\'') {
			*open = false;
			return i + 2;
		}
	return n;
}

static size_t lex_word(struct lexer *lx, struct token *t, size_t i)
{
	const uint8_t *s = lx->s;
	size_t n = lx->len, j = i + 1, k;
	const struct kw *kw;

	/* Qualified names read as one: a.b, master..xp_cmdshell. */
	for (;;) {
		while (j < n && is_wchar(s[j]))
			j++;
		if (j < n && s[j] == '.') {
			k = j + 1;
			if (k < n && s[k] == '.')
				k++;
			if (k < n && is_wstart(s[k])) {
				j = k;
				continue;
			}
		}
		break;
	}
	t->len = j - i;
	if (j < n && s[j] == '\'') {
		/* Prefixed strings: N'' X'' B'' E'' q'[]' nq'' _utf8''. */
		uint8_t c0 = s[i] | 0x20;

		if (t->len == 1 && (c0 == 'n' || c0 == 'x' || c0 == 'b')) {
			t->cls = C_STR;
			return quoted(s, n, j + 1, '\'', false, &t->open);
		}
		if (t->len == 1 && c0 == 'e') {
			t->cls = C_STR;
			return quoted(s, n, j + 1, '\'', true, &t->open);
		}
		if ((t->len == 1 && c0 == 'q') ||
		    (t->len == 2 && c0 == 'n' && (s[i + 1] | 0x20) == 'q')) {
			t->cls = C_STR;
			return q_quoted(s, n, j, &t->open);
		}
		if (s[i] == '_' && t->len > 1) {
			t->cls = C_STR;
			return quoted(s, n, j + 1, '\'', false, &t->open);
		}
	}
	kw = kw_lookup(s + i, t->len);
	if (kw == NULL) {
		/* schema.sleep(), user_lock.sleep(): the last name decides
		 * for the functions typical of injections */
		for (k = j; k > i && s[k - 1] != '.'; k--)
			;
		if (k > i) {
			kw = kw_lookup(s + k, j - k);
			if (kw != NULL && !(kw->flags & KF_DANGER))
				kw = NULL;
		}
	}
	if (kw != NULL) {
		t->cls = kw->cls;
		t->id = kw->id;
		t->flags = kw->flags;
		t->op = kw->op;
	} else {
		t->cls = C_WORD;
	}
	if ((kw == NULL || (kw->flags & KF_CALL)) && next_is_lparen(s, n, j)) {
		t->cls = C_FUNC;
		t->paren = true;
	}
	return j;
}

static size_t lex_number(const uint8_t *s, size_t n, size_t i, struct token *t)
{
	size_t j = i, k;
	bool plain = false; /* digits only: may go on as a name (1st) */

	if (s[j] == '0' && j + 2 < n && (s[j + 1] | 0x20) == 'x' &&
	    is_xdigit(s[j + 2])) {
		for (j += 2; j < n && is_xdigit(s[j]); j++)
			;
		plain = true;
	} else if (s[j] == '0' && j + 2 < n && (s[j + 1] | 0x20) == 'b' &&
		   (s[j + 2] == '0' || s[j + 2] == '1')) {
		for (j += 2; j < n && (s[j] == '0' || s[j] == '1'); j++)
			;
		plain = true;
	} else {
		while (j < n && is_digit(s[j]))
			j++;
		plain = true;
		if (j < n && s[j] == '.') {
			plain = false;
			for (j++; j < n && is_digit(s[j]); j++)
				;
		}
		if (j < n && (s[j] | 0x20) == 'e') {
			k = j + 1;
			if (k < n && (s[k] == '+' || s[k] == '-'))
				k++;
			if (k < n && is_digit(s[k])) {
				plain = false;
				for (j = k; j < n && is_digit(s[j]); j++)
					;
			}
		}
	}
	/* MySQL names may start with digits: 1st, 2nd, 10px, 0xZZ. */
	if (plain && j < n && is_wchar(s[j])) {
		while (j < n && is_wchar(s[j]))
			j++;
		t->cls = C_WORD;
	} else {
		t->cls = C_NUM;
	}
	return j;
}

/* @x @@x @'x' :x $1 and $tag$...$tag$ strings. */
static size_t lex_sigil(const uint8_t *s, size_t n, size_t i, struct token *t)
{
	size_t j = i + 1, k;
	bool open;

	t->cls = C_VAR;
	if (s[i] == '@') {
		if (j < n && s[j] == '@') {
			t->sysvar = true;
			j++;
		}
		if (j < n && is_wchar(s[j])) {
			while (j < n && (is_wchar(s[j]) || s[j] == '.'))
				j++;
			return j;
		}
		if (!t->sysvar && j < n &&
		    (s[j] == '\'' || s[j] == '"' || s[j] == '`'))
			return quoted(s, n, j + 1, s[j], false, &open);
	} else if (s[i] == ':') {
		if (j < n && (s[j] == ':' || s[j] == '=')) {
			t->cls = C_OP;
			t->op = O_BIN;
			return j + 1;
		}
		if (j < n && is_wchar(s[j])) {
			while (j < n && is_wchar(s[j]))
				j++;
			return j;
		}
	} else { /* '$' */
		if (j < n && is_digit(s[j])) {
			while (j < n && is_digit(s[j]))
				j++;
			return j;
		}
		for (k = j;
		     k < n && k - j < 64 && is_wchar(s[k]) && s[k] != '$'; k++)
			;
		if (k < n && s[k] == '$' && !(k > j && is_digit(s[j]))) {
			size_t tag = k + 1 - i;

			/* $tag$ ... $tag$: find the same tag again. */
			t->cls = C_STR;
			for (j = k + 1; j < n; j++) {
				const uint8_t *p = memchr(s + j, '$', n - j);

				if (p == NULL)
					break;
				j = (size_t)(p - s);
				if (n - j >= tag &&
				    memcmp(s + j, s + i, tag) == 0)
					return j + tag;
			}
			t->open = true;
			return n;
		}
		if (k > j) {
			t->cls = C_WORD;
			return k;
		}
	}
	t->cls = C_BAD;
	return i + 1;
}

static size_t lex_op(const uint8_t *s, size_t n, size_t i, struct token *t)
{
	uint8_t c = s[i], d = i + 1 < n ? s[i + 1] : 0;
	uint8_t e = i + 2 < n ? s[i + 2] : 0;

	t->cls = C_OP;
	switch (c) {
	case '=':
		t->op = O_BIN | O_CMP;
		return d == '=' ? i + 2 : i + 1;
	case '<':
		t->op = O_BIN | O_CMP;
		if (d == '=' && e == '>')
			return i + 3;
		if (d == '=' || d == '>' || d == '@')
			return i + 2;
		if (d == '<') {
			t->op = O_BIN;
			return i + 2;
		}
		return i + 1;
	case '>':
		t->op = O_BIN | O_CMP;
		if (d == '=')
			return i + 2;
		if (d == '>') {
			t->op = O_BIN;
			return i + 2;
		}
		return i + 1;
	case '!':
		if (d == '=' || d == '<' || d == '>') {
			t->op = O_BIN | O_CMP;
			return i + 2;
		}
		if (d == '~') {
			t->op = O_BIN | O_CMP;
			return e == '*' ? i + 3 : i + 2;
		}
		t->op = O_UNARY;
		return i + 1;
	case '~':
		if (d == '*') {
			t->op = O_BIN | O_CMP;
			return i + 2;
		}
		t->op = O_BIN | O_UNARY;
		return i + 1;
	case '|':
	case '&':
		if (d == c) {
			t->cls = C_LOGIC;
			return i + 2;
		}
		t->op = O_BIN;
		return i + 1;
	case '-':
		if (d == '>') {
			t->op = O_BIN;
			return e == '>' ? i + 3 : i + 2;
		}
		t->op = O_BIN | O_UNARY;
		return i + 1;
	case '+':
		t->op = O_BIN | O_UNARY;
		return i + 1;
	case '*':
		t->op = O_BIN | O_STAR;
		return i + 1;
	case '/':
	case '%':
	case '^':
		t->op = O_BIN;
		return i + 1;
	default:
		t->cls = C_BAD;
		return i + 1;
	}
}

/* The next token; comments left open (or reaching the end) are tokens,
 * the others are blanks. */
static void lex(struct lexer *lx, struct token *t)
{
	const uint8_t *s = lx->s;
	size_t n = lx->len, i = lx->pos;
	const uint8_t *nl;
	bool open;
	uint8_t c;

	memset(t, 0, sizeof(*t));
	for (;;) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n) {
			t->cls = C_END;
			t->pos = n;
			lx->pos = n;
			return;
		}
		c = s[i];
		if (c == '*' && lx->exec && i + 1 < n && s[i + 1] == '/') {
			lx->exec = false;
			i += 2;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			size_t v, d;

			if (i + 2 < n && s[i + 2] == '!') {
				/* MySQL: the body is SQL (after a 5 or 6
				 * digit version). */
				for (v = i + 3, d = 0; v < n && is_digit(s[v]);
				     v++, d++)
					;
				i += 3 + (d == 6 ? 6u : d >= 5 ? 5u : 0u);
				lx->exec = true;
				continue;
			}
			if (block_end(s, n, i + 2, &i))
				continue;
			goto comment;
		}
		if (c == '#' || (c == '-' && i + 1 < n && s[i + 1] == '-')) {
			nl = memchr(s + i, '\n', n - i);
			if (nl == NULL)
				goto comment;
			i = (size_t)(nl - s) + 1;
			continue;
		}
		break;
	}
	t->pos = i;
	if (is_wstart(c)) {
		i = lex_word(lx, t, i);
	} else if (is_digit(c) ||
		   (c == '.' && i + 1 < n && is_digit(s[i + 1]))) {
		i = lex_number(s, n, i, t);
	} else {
		switch (c) {
		case '\'':
		case '"':
			t->cls = C_STR;
			i = quoted(s, n, i + 1, c, false, &t->open);
			break;
		case '`':
			t->cls = C_WORD;
			i = quoted(s, n, i + 1, c, false, &open);
			break;
		case '[':
			nl = memchr(s + i, ']', n - i);
			t->cls = nl != NULL ? C_WORD : C_BAD;
			i = nl != NULL ? (size_t)(nl - s) + 1 : i + 1;
			break;
		case '(':
		case ')':
		case ',':
		case ';':
			t->cls = c;
			i++;
			break;
		case '@':
		case ':':
		case '$':
			i = lex_sigil(s, n, i, t);
			break;
		default:
			i = lex_op(s, n, i, t);
		}
	}
	t->len = i - t->pos;
	lx->pos = i;
	return;
comment:
	t->cls = C_CMT;
	t->pos = i;
	t->len = n - i;
	lx->pos = n;
}

/*
 * The parser.
 */

#define MAX_FRAMES 16 /* parentheses tracked; deeper ones share one slot */

enum { FR_GROUP, FR_CALL, FR_KNOWN, FR_DANGER, FR_START, FR_SUBQ, FR_ADJ };

struct frame {
	uint8_t kind;
	bool nonword; /* holds a value other than a bare name */
	bool sel;     /* a select list or FROM clause: aliases allowed */
	bool two;     /* FR_START: the function wants two arguments */
	bool cmp;     /* holds a comparison */
	uint32_t commas;
};

enum {
	P_EXPECT,  /* an operand must come */
	P_OPERAND, /* after a complete operand */
	P_CALL,	   /* after a function name, before its "(" */
	P_UNION,   /* after UNION [ALL] */
	P_SEMI,	   /* after ";" */
	P_NOTOP,   /* after "x NOT": LIKE, IN, BETWEEN... */
	P_SOUNDS,  /* after "x SOUNDS": LIKE */
	P_ALIAS,   /* after AS */
	P_ORDER,   /* after ORDER or GROUP: BY */
	P_INTO,	   /* after INTO: OUTFILE, @var */
};

enum { R_CONT, R_INJECT, R_ERROR };

enum { FIN_END, FIN_COMMENT, FIN_ERROR };

/* What an expression clause holds. */
#define A_NUM	 0x01
#define A_STR	 0x02
#define A_WORD	 0x04
#define A_VAR	 0x08
#define A_SYSVAR 0x10
#define A_FUNC	 0x20 /* a known function */
#define A_UFUNC	 0x40 /* any other name called */
#define A_SUBQ	 0x80
#define A_OSTR	 0x100 /* the string the application's quote closes */
#define A_VALUE	 (A_NUM | A_STR | A_OSTR | A_VAR | A_SYSVAR | A_FUNC | A_SUBQ)
#define A_STRONG (A_SYSVAR | A_FUNC | A_SUBQ)
/* quote context: enough alone after OR/AND ("' or 1", "' or '1") */
#define A_LONE (A_NUM | A_OSTR | A_VAR | A_SYSVAR | A_FUNC | A_SUBQ)

struct parser {
	struct lexer lx;
	uint8_t ctx;   /* 0, '\'' or '"' */
	bool soft;     /* the quote looks like one opening a phrase: "say 'x" */
	bool cmt_weak; /* the final comment does not read as a cut */
	uint8_t st;
	uint8_t binop_kinds;
	uint8_t call_kind;
	bool call_two;
	bool weak;	 /* bare context starting with a plain word */
	bool first_seen; /* an operand was read */
	bool empty_ok;	 /* just after a call's "(" */
	bool after_lpar; /* just after a group's "(" */
	bool alias_ok;	 /* just after a subquery's ")" */
	bool alias_done;
	bool last_str; /* the last operand is a string */
	bool logic_seen;
	bool order_seen;
	bool order_first;
	bool order_num;
	bool semi_seen;
	bool pending; /* the value is a call to a dangerous function */
	/* the current expression clause, after a logic operator (or, in a
	 * quote context, after the closing quote: cl_init) */
	bool cl_on;
	bool cl_init;
	bool cl_cmp;
	uint16_t cl_atoms;
	uint32_t cl_depth;
	uint32_t depth;
	uint32_t closed_outer; /* ")" closing the application's parentheses */
	uint32_t binops;       /* quote context: operators after the quote */
	uint32_t ntok;
	uint32_t rn;
	char ring[8];
	struct frame fr[MAX_FRAMES];
	struct frame spill;
};

/* A bare value that starts with a plain word ("cats or dogs") until it
 * closes one of the application's parentheses ("name) ..."). */
static inline bool is_weak(const struct parser *p)
{
	return p->weak && p->closed_outer == 0;
}

static inline struct frame *frame(struct parser *p)
{
	return p->depth < MAX_FRAMES ? &p->fr[p->depth] : &p->spill;
}

static void push_frame(struct parser *p, uint8_t kind)
{
	struct frame *f;

	p->depth++;
	f = frame(p);
	memset(f, 0, sizeof(*f));
	f->kind = kind;
}

static void note_first(struct parser *p, uint16_t a)
{
	if (p->first_seen)
		return;
	p->first_seen = true;
	p->weak = p->ctx == 0 && (a & (A_WORD | A_UFUNC));
}

/* Does the clause just completed make an injection? @err: it was ended
 * by a token SQL does not accept there. */
static bool clause_strong(const struct parser *p, bool err)
{
	uint16_t a = p->cl_atoms;

	if (!p->cl_on || (is_weak(p) && err))
		return false;
	if (p->cl_init) /* "1'='1", but not "'<unset>'" */
		return !err && p->cl_cmp && (a & A_VALUE) &&
		       !(a & (A_WORD | A_UFUNC));
	if ((a & A_STRONG) || (p->cl_cmp && (a & A_VALUE)))
		return true;
	return p->ctx && !p->soft && !err && (p->cl_cmp || (a & A_LONE));
}

static int end_clause(struct parser *p)
{
	if (clause_strong(p, false))
		return R_INJECT;
	p->cl_on = false;
	return R_CONT;
}

static int new_clause(struct parser *p)
{
	if (clause_strong(p, false))
		return R_INJECT;
	p->logic_seen = true;
	p->cl_on = true;
	p->cl_init = false;
	p->cl_cmp = false;
	p->cl_atoms = 0;
	p->cl_depth = p->depth;
	p->st = P_EXPECT;
	return R_CONT;
}

/*
 * Quote context: "' | a % b", an expression going on after the quote,
 * with two operators at least, of two kinds at least (text repeats one
 * separator: "a/b/c", "%s %d", "a|b|c"; "-" and "+" are left out, they
 * start options: "-f -x").
 */
static inline bool chained(const struct parser *p)
{
	return p->ctx && !p->soft && !p->logic_seen && p->depth == 0 &&
	       p->binops >= 2 && (p->binop_kinds & (p->binop_kinds - 1)) != 0;
}

static void count_binop(struct parser *p, const struct token *t)
{
	static const char kinds[] = "|%^&*<>-:";
	const char *k;

	if (!p->ctx || p->logic_seen || p->depth > 0 ||
	    (t->op & (O_UNARY | O_CMP)))
		return;
	k = strchr(kinds, p->lx.s[t->pos]);
	if (k == NULL)
		return; /* "/", as in paths */
	p->binops++;
	p->binop_kinds |= (uint8_t)(1u << (k - kinds));
}

static int atom(struct parser *p, uint16_t a)
{
	note_first(p, a);
	p->cl_atoms |= a;
	if (a & A_VALUE)
		frame(p)->nonword = true;
	if (p->order_first) {
		p->order_first = false;
		p->order_num |= a == A_NUM;
	}
	p->last_str = (a & (A_STR | A_OSTR)) != 0;
	p->alias_ok = false;
	p->alias_done = false;
	p->st = P_OPERAND;
	return chained(p) ? R_INJECT : R_CONT;
}

/* The first item of a SELECT: a value, a function, "*" or "(" make it
 * SQL; a name needs FROM, INTO or "," after it (or, unless @strict, the
 * end of the query). */
static bool select_confirmed(const struct lexer *lx0, bool strict)
{
	struct lexer lx = *lx0;
	struct token t, u;
	int i;

	for (i = 0; i < 3; i++) {
		lex(&lx, &t);
		if (t.cls != C_KW || t.id != KW_ALL)
			break;
	}
	switch (t.cls) {
	case C_NUM:
	case C_STR:
	case C_VAR:
	case C_FUNC:
	case C_LPAR:
		return true;
	case C_OP:
		return (t.op & O_STAR) != 0;
	case C_WORD:
		lex(&lx, &u);
		if (u.cls == C_COMMA || u.id == KW_FROM || u.id == KW_INTO)
			return true;
		return !strict &&
		       (u.cls == C_END || u.cls == C_CMT || u.cls == C_SEMI ||
			u.cls == C_RPAR || u.cls == C_UNION);
	default:
		return false;
	}
}

/* Is the next token a SELECT that reads as one? */
static bool subquery_next(const struct lexer *lx0)
{
	struct lexer lx = *lx0;
	struct token t;

	lex(&lx, &t);
	return t.id == KW_SELECT && select_confirmed(&lx, true);
}

static bool starts_ci(const uint8_t *s, size_t len, const char *pfx)
{
	size_t i;

	for (i = 0; pfx[i] != '\0'; i++)
		if (i >= len ||
		    (s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]) !=
			    (uint8_t)pfx[i])
			return false;
	return true;
}

/* Does the statement keyword @t start a statement that reads as one? */
static bool stmt_confirmed(const struct parser *p, const struct token *t)
{
	struct lexer lx = p->lx;
	struct token u, w;

	if (t->id == KW_SELECT)
		return select_confirmed(&lx, false);
	lex(&lx, &u);
	switch (t->id) {
	case KW_INSERT:
		return u.id == KW_INTO || u.id == KW_IGNORE;
	case KW_DELETE:
		return u.id == KW_FROM;
	case KW_UPDATE:
		lex(&lx, &w);
		return u.cls == C_WORD && w.id == KW_SET;
	case KW_DDL:
		if (u.cls == C_LOGIC) { /* CREATE OR REPLACE */
			lex(&lx, &w);
			if (w.id != KW_INSERT)
				return false;
			lex(&lx, &u);
		}
		if (u.id != KW_OBJ && u.id != KW_PROCEDURE)
			return false;
		lex(&lx, &w);
		return w.cls == C_WORD || w.cls == C_STR || w.cls == C_FUNC ||
		       w.id == KW_IF;
	case KW_EXEC:
		if (u.cls == C_VAR || u.cls == C_LPAR)
			return true;
		return (u.cls == C_WORD || u.cls == C_FUNC) &&
		       (starts_ci(p->lx.s + u.pos, u.len, "xp_") ||
			starts_ci(p->lx.s + u.pos, u.len, "sp_") ||
			memchr(p->lx.s + u.pos, '.', u.len) != NULL);
	case KW_DECLARE:
	case KW_SET:
		return u.cls == C_VAR;
	case KW_SHUTDOWN:
		return u.cls == C_END || u.cls == C_CMT || u.cls == C_SEMI ||
		       u.id == KW_WITH;
	case KW_WAITFOR:
		return u.id == KW_DELAY;
	case KW_LOAD:
		return u.id == KW_DATA;
	case KW_BEGIN: /* BEGIN DBMS_LOCK.SLEEP(5); END, BEGIN IF (...) */
		return u.cls == C_FUNC &&
		       ((u.flags & KF_DANGER) || u.id == KW_IF);
	case KW_CALL:
		return u.cls == C_FUNC;
	default:
		return false;
	}
}

static int call(struct parser *p, const struct token *t)
{
	bool first = !p->first_seen;
	uint16_t a = (t->flags & KF_FUNC) ? A_FUNC : A_UFUNC;

	if (!t->paren) /* CURRENT_USER and the like */
		return atom(p, A_FUNC);
	note_first(p, a);
	p->cl_atoms |= a;
	p->call_two = (t->flags & KF_TWO) != 0;
	if (t->flags & KF_DANGER) {
		if (first && p->ctx == 0)
			p->call_kind = FR_START; /* the whole value? */
		else if (is_weak(p))
			p->call_kind = FR_DANGER; /* with a value inside */
		else
			return R_INJECT;
	} else {
		p->call_kind = a == A_FUNC ? FR_KNOWN : FR_CALL;
	}
	p->st = P_CALL;
	return R_CONT;
}

static int close_paren(struct parser *p)
{
	struct frame f;

	p->st = P_OPERAND;
	p->alias_ok = false;
	p->alias_done = false;
	p->last_str = false;
	if (p->depth == 0) {
		p->closed_outer++;
		return R_CONT;
	}
	f = *frame(p);
	p->depth--;
	if (p->cl_on && p->cl_depth > p->depth) {
		if (clause_strong(p, false))
			return R_INJECT;
		p->cl_depth = p->depth; /* the clause goes on outside */
	}
	if (f.nonword || f.kind == FR_KNOWN || f.kind == FR_DANGER ||
	    f.kind == FR_START || f.kind == FR_ADJ)
		frame(p)->nonword = true;
	switch (f.kind) {
	case FR_DANGER:
		if (f.nonword)
			return R_INJECT;
		break;
	case FR_START:
		if (f.nonword && (!f.two || f.commas > 0))
			p->pending = true;
		break;
	case FR_SUBQ:
		p->alias_ok = true;
		break;
	case FR_ADJ:
		if (f.cmp)
			return R_INJECT;
		break;
	default:
		break;
	}
	return chained(p) ? R_INJECT : R_CONT;
}

static int expect(struct parser *p, const struct token *t)
{
	bool empty_ok = p->empty_ok, after_lpar = p->after_lpar;

	p->empty_ok = false;
	p->after_lpar = false;
	switch (t->cls) {
	case C_NUM:
		return atom(p, A_NUM);
	case C_STR:
		return atom(p, t->open ? A_OSTR : A_STR);
	case C_WORD:
		if (t->id == KW_MODEWORD) /* IN BOOLEAN MODE */
			return R_CONT;
		return atom(p, A_WORD);
	case C_VAR:
		return atom(p, t->sysvar ? A_SYSVAR : A_VAR);
	case C_FUNC:
		return call(p, t);
	case C_LPAR:
		push_frame(p, FR_GROUP);
		p->after_lpar = true;
		return R_CONT;
	case C_RPAR:
		if (empty_ok)
			return close_paren(p);
		if (p->ntok == 1) { /* ") or 1=1": closes the query's "(" */
			p->closed_outer++;
			p->st = P_OPERAND;
			return R_CONT;
		}
		return R_ERROR;
	case C_OP:
		if (t->op & O_UNARY)
			return R_CONT;
		/* "*": every column, in a select list or count(*) */
		if ((t->op & O_STAR) &&
		    (frame(p)->sel ||
		     (p->depth > 0 && frame(p)->kind != FR_GROUP)))
			return atom(p, A_WORD);
		return R_ERROR;
	case C_KW: /* IN NATURAL LANGUAGE MODE */
		return (t->flags & KF_PREFIX) || t->id == KW_NATURAL ? R_CONT
								     : R_ERROR;
	case C_STMT:
		if (t->id != KW_SELECT)
			return R_ERROR;
		if (after_lpar) {
			frame(p)->kind = FR_SUBQ;
			frame(p)->sel = true;
			return select_confirmed(&p->lx, true) ? R_INJECT
							      : R_CONT;
		}
		if (p->ntok == 1) { /* a whole SELECT as the value */
			p->fr[0].sel = true;
			return R_CONT;
		}
		return R_ERROR;
	case C_SEMI:
		if (p->ntok == 1) {
			p->semi_seen = true;
			p->st = P_SEMI;
			return R_CONT;
		}
		return R_ERROR;
	default:
		return R_ERROR;
	}
}

static int keyword_after_operand(struct parser *p, const struct token *t)
{
	struct frame *f = frame(p);

	switch (t->id) {
	case KW_ORDER:
	case KW_LIMIT:
	case KW_PROCEDURE: /* PROCEDURE ANALYSE(...) */
	case KW_INTO:
		if (end_clause(p) == R_INJECT)
			return R_INJECT;
		p->st = t->id == KW_ORDER  ? P_ORDER
			: t->id == KW_INTO ? P_INTO
					   : P_EXPECT;
		return R_CONT;
	case KW_WHERE: /* in a SELECT, or "x') AS y WHERE 1=1" */
		return f->sel || !is_weak(p) ? new_clause(p) : R_ERROR;
	case KW_HAVING:
		return is_weak(p) ? R_ERROR : new_clause(p);
	case KW_ON:
		return f->sel ? new_clause(p) : R_ERROR;
	case KW_AS:
		p->st = P_ALIAS;
		return R_CONT;
	case KW_ASC:
	case KW_END:
		return R_CONT;
	case KW_CASEMID:
		p->st = P_EXPECT;
		return R_CONT;
	case KW_FROM:
	case KW_FOR:
		/* SELECT x FROM, or SUBSTRING(x FROM 1 FOR 1) */
		if ((t->id == KW_FROM && f->sel) ||
		    (p->depth > 0 && f->kind != FR_GROUP &&
		     f->kind != FR_SUBQ)) {
			p->st = P_EXPECT;
			return R_CONT;
		}
		return R_ERROR;
	case KW_JOIN:
		if (!f->sel)
			return R_ERROR;
		p->st = P_EXPECT;
		return R_CONT;
	case KW_JOINMOD:
	case KW_NATURAL:
		return f->sel ? R_CONT : R_ERROR;
	default:
		return R_ERROR;
	}
}

static int binop(struct parser *p, const struct token *t)
{
	if (t->id == KW_NOT || t->id == KW_SOUNDS) {
		p->st = t->id == KW_NOT ? P_NOTOP : P_SOUNDS;
		return R_CONT;
	}
	if (!(t->op & O_BIN))
		return R_ERROR;
	if (t->op & O_CMP) {
		p->cl_cmp = true;
		frame(p)->cmp = true;
	}
	count_binop(p, t);
	p->st = P_EXPECT;
	return R_CONT;
}

/*
 * Is the token just read the first after the value's first operand (and
 * the parentheses it closes)? Scanners put calls and subqueries there,
 * which SQL does not take, but "x' sleep(5) '" is still an attack.
 */
static bool adjacent(const struct parser *p)
{
	return (p->ctx ? !p->soft : !is_weak(p)) &&
	       p->ntok == 2 + p->closed_outer && p->depth == 0;
}

static int operand(struct parser *p, const struct token *t)
{
	switch (t->cls) {
	case C_OP:
		return binop(p, t);
	case C_LOGIC:
		return new_clause(p);
	case C_RPAR:
		return close_paren(p);
	case C_COMMA:
		if (p->depth > 0)
			frame(p)->commas++;
		p->st = P_EXPECT;
		return R_CONT;
	case C_UNION:
		if (end_clause(p) == R_INJECT)
			return R_INJECT;
		p->st = P_UNION;
		return R_CONT;
	case C_SEMI:
		if (end_clause(p) == R_INJECT)
			return R_INJECT;
		p->semi_seen = true;
		p->st = P_SEMI;
		return R_CONT;
	case C_STMT: /* MSSQL runs "x' WAITFOR DELAY ..." without ";" */
		if (end_clause(p) == R_INJECT)
			return R_INJECT;
		if (is_weak(p) || p->soft ||
		    (t->id != KW_WAITFOR && t->id != KW_EXEC &&
		     t->id != KW_DECLARE && t->id != KW_BEGIN))
			return R_ERROR;
		return stmt_confirmed(p, t) ? R_INJECT : R_ERROR;
	case C_FUNC:
		if (t->op & O_BIN) /* x LIKE (...), x MOD (...) */
			return binop(p, t);
		/* a call right after the first operand, as scanners send
		 * them: "x' sleep(5) '", "1') elt(1=1,2)" */
		if (!adjacent(p))
			return R_ERROR;
		if (t->flags & KF_DANGER)
			return R_INJECT;
		p->call_kind = (t->flags & KF_FUNC) ? FR_ADJ : FR_CALL;
		p->call_two = false;
		p->st = P_CALL;
		return R_CONT;
	case C_LPAR: /* "x' (select ..." */
		return adjacent(p) && subquery_next(&p->lx) ? R_INJECT
							    : R_ERROR;
	case C_STR: /* 'a' 'b' concatenate */
		return p->last_str ? atom(p, t->open ? A_OSTR : A_STR)
				   : R_ERROR;
	case C_WORD: /* an alias */
		if ((frame(p)->sel || p->alias_ok) && !p->alias_done) {
			p->alias_done = true;
			return R_CONT;
		}
		return R_ERROR;
	case C_KW:
		return keyword_after_operand(p, t);
	default:
		return R_ERROR;
	}
}

static int step(struct parser *p, const struct token *t)
{
	switch (p->st) {
	case P_EXPECT:
		return expect(p, t);
	case P_OPERAND:
		return operand(p, t);
	case P_CALL:
		if (t->cls != C_LPAR)
			return R_ERROR;
		push_frame(p, p->call_kind);
		frame(p)->two = p->call_two;
		p->empty_ok = true;
		p->st = P_EXPECT;
		return R_CONT;
	case P_UNION:
		if (t->cls == C_KW && t->id == KW_ALL)
			return R_CONT;
		if (t->cls == C_LPAR) {
			push_frame(p, FR_GROUP);
			return R_CONT;
		}
		if (t->cls == C_STMT && t->id == KW_SELECT)
			return !is_weak(p) || select_confirmed(&p->lx, true)
				       ? R_INJECT
				       : R_ERROR;
		return R_ERROR;
	case P_SEMI:
		if (t->cls == C_SEMI)
			return R_CONT;
		if (is_weak(p))
			return R_ERROR;
		if (t->cls == C_STMT)
			return stmt_confirmed(p, t) ? R_INJECT : R_ERROR;
		return t->cls == C_FUNC && t->id == KW_IF ? R_INJECT : R_ERROR;
	case P_NOTOP:
	case P_SOUNDS:
		if (t->cls != C_OP || !(t->op & O_CMP) || t->id == KW_NONE ||
		    (p->st == P_SOUNDS && t->id != KW_LIKE))
			return R_ERROR;
		p->cl_cmp = true;
		p->st = P_EXPECT;
		return R_CONT;
	case P_ALIAS:
		if (t->cls == C_WORD || t->cls == C_STR) {
			p->st = P_OPERAND;
			p->alias_done = true;
			return R_CONT;
		}
		return t->cls == C_FUNC ? call(p, t) : R_ERROR;
	case P_ORDER:
		if (t->id != KW_BY)
			return R_ERROR;
		p->order_seen = true;
		p->order_first = true;
		p->st = P_EXPECT;
		return R_CONT;
	case P_INTO:
		if (t->id == KW_OUTFILE)
			return R_INJECT;
		return t->cls == C_VAR ? atom(p, A_VAR) : R_ERROR;
	default:
		return R_ERROR;
	}
}

/* The fingerprint: the classes of the last tokens read (but the one SQL
 * did not accept, @skip_last). */
static void emit(const struct parser *p, char *fp, bool skip_last)
{
	uint32_t total = p->rn - (skip_last && p->rn > 0 ? 1 : 0);
	uint32_t k = total < WW_SQLI_FINGERPRINT_MAX - 1
			     ? total
			     : WW_SQLI_FINGERPRINT_MAX - 1;
	uint32_t i;

	if (fp == NULL)
		return;
	for (i = 0; i < k; i++)
		fp[i] = p->ring[(total - k + i) & 7];
	fp[k] = '\0';
}

static bool finish(struct parser *p, int how, char *fp)
{
	bool err = how == FIN_ERROR, done = p->st == P_OPERAND, inj;

	inj = (done && clause_strong(p, err)) || (!err && done && p->pending) ||
	      (how == FIN_COMMENT && (done || p->st == P_SEMI) &&
	       (p->ctx ? !p->cmt_weak
		       : p->first_seen && !p->weak &&
				 (p->closed_outer || p->logic_seen ||
				  p->order_seen || p->semi_seen))) ||
	      (!err && done && p->ctx && p->order_num);
	if (inj)
		emit(p, fp, err);
	return inj;
}

/*
 * A final comment in a quote context that reads as text rather than as
 * the query being cut off: "--name" (an option: MySQL does not even
 * take "--" without a blank after it as a comment), a quote that opens a
 * phrase starting with the comment ("see '#define x'", "'--keep'").
 */
static bool weak_comment(const struct parser *p, const struct token *t)
{
	const uint8_t *s = p->lx.s;

	if (s[t->pos] == '-' && t->len > 2 &&
	    (is_digit(s[t->pos + 2]) ||
	     (uint8_t)((s[t->pos + 2] | 0x20) - 'a') < 26))
		return true;
	if (p->soft && p->ntok == 2)
		return true;
	return (p->soft || s[0] == p->ctx) &&
	       memchr(s + t->pos, p->ctx, t->len) != NULL;
}

/* Does a quote after @c open a phrase rather than close a value? */
static bool opens_phrase(uint8_t c)
{
	return is_space(c) || c == '(' || c == '[' || c == '{' || c == '=' ||
	       c == ',' || c == ':';
}

static bool scan(const uint8_t *s, size_t n, uint8_t ctx, char *fp)
{
	struct parser p;
	struct token t;
	int r;

	memset(&p, 0, sizeof(p));
	p.lx.s = s;
	p.lx.len = n;
	p.ctx = ctx;
	p.st = P_EXPECT;
	if (ctx) {
		bool open;

		p.lx.pos = quoted(s, n, 0, ctx, false, &open);
		if (open)
			return false; /* the value never leaves the string */
		p.soft = p.lx.pos > 1 && opens_phrase(s[p.lx.pos - 2]);
		p.ring[p.rn++ & 7] = C_STR;
		p.ntok = 1;
		p.first_seen = true;
		p.last_str = true;
		p.cl_on = !p.soft;
		p.cl_init = true;
		p.st = P_OPERAND;
	}
	for (;;) {
		lex(&p.lx, &t);
		if (t.cls == C_END)
			return finish(&p, FIN_END, fp);
		p.ring[p.rn++ & 7] = (char)t.cls;
		p.ntok++;
		if (t.cls == C_CMT) {
			p.cmt_weak = weak_comment(&p, &t);
			return finish(&p, FIN_COMMENT, fp);
		}
		r = step(&p, &t);
		if (r == R_INJECT) {
			emit(&p, fp, false);
			return true;
		}
		if (r == R_ERROR)
			return finish(&p, FIN_ERROR, fp);
	}
}

bool ww_detect_sqli(const char *s, size_t len,
		    char fingerprint[WW_SQLI_FINGERPRINT_MAX])
{
	const uint8_t *u = (const uint8_t *)s;

	if (fingerprint != NULL)
		fingerprint[0] = '\0';
	if (s == NULL || len == 0)
		return false;
	if (scan(u, len, 0, fingerprint))
		return true;
	if (memchr(u, '\'', len) != NULL && scan(u, len, '\'', fingerprint))
		return true;
	return memchr(u, '"', len) != NULL && scan(u, len, '"', fingerprint);
}
