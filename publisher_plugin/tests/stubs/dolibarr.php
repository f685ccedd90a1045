<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/stubs/dolibarr.php
 * \brief   Minimal stand-ins for the Dolibarr classes and functions the module touches.
 *
 * Signatures follow Dolibarr 23 (htdocs/core/db/DoliDB.class.php, user/class/user.class.php,
 * product/stock/class/mouvementstock.class.php, core/lib/functions.lib.php); bodies do only
 * what the tests need. Configuration, enabled modules and log lines live in $GLOBALS so that
 * each test sets and reads them.
 */

$GLOBALS['ticketstock_test_const'] = array();
$GLOBALS['ticketstock_test_modules'] = array('ticketstock' => true, 'stock' => true, 'ticket' => true);
$GLOBALS['ticketstock_test_log'] = array();

/**
 * Read a constant of the current entity.
 *
 * @param	string	$key		Constant name
 * @param	string	$default	Value when unset or empty
 * @return	string
 */
function getDolGlobalString($key, $default = '')
{
	$const = $GLOBALS['ticketstock_test_const'];
	return (string) ((isset($const[$key]) && $const[$key] !== '') ? $const[$key] : $default);
}

/**
 * Read an integer constant of the current entity.
 *
 * @param	string	$key		Constant name
 * @param	int		$default	Value when unset
 * @return	int
 */
function getDolGlobalInt($key, $default = 0)
{
	return (int) getDolGlobalString($key, (string) $default);
}

/**
 * Whether a module is enabled in the current entity.
 *
 * @param	string	$module		Module name
 * @return	bool
 */
function isModEnabled($module)
{
	return !empty($GLOBALS['ticketstock_test_modules'][$module]);
}

/**
 * Record a log line.
 *
 * @param	string	$message		Line
 * @param	int		$level			LOG_* level
 * @param	int		$ident			Indentation change
 * @param	string	$suffixinfilename	Log file suffix
 * @param	string	$restricttologhandler	Handler
 * @param	?array	$logcontext		Context
 * @return	void
 */
function dol_syslog($message, $level = LOG_INFO, $ident = 0, $suffixinfilename = '', $restricttologhandler = '',
	$logcontext = null)
{
	$GLOBALS['ticketstock_test_log'][] = array($level, $message);
}

/**
 * Stand-in of Dolibarr's database handler.
 *
 * Queries go to handlers registered with on(): a regular expression and a callable returning
 * rows (array of arrays), an affected-row count (int) or false for an SQL error.
 */
class DoliDB
{
	/** @var int Open transaction depth */
	public $transaction_opened = 0;

	/** @var bool */
	public $connected = true;

	/** @var array[] Queries run: [sql, usesavepoint] */
	public $queries = array();

	/** @var string */
	private $lasterror = '';

	/** @var int */
	private $lastInsertId = 0;

	/** @var array[] [regex, callable] */
	private $handlers = array();

	/**
	 * Answer queries matching a pattern.
	 *
	 * @param	string		$pattern	Regular expression on the SQL
	 * @param	callable	$handler	function (array $matches, string $sql): array[]|int|false
	 * @return	void
	 */
	public function on($pattern, $handler)
	{
		$this->handlers[] = array($pattern, $handler);
	}

	/**
	 * Set what last_insert_id() returns.
	 *
	 * @param	int		$id		Id
	 * @return	void
	 */
	public function setLastInsertId($id)
	{
		$this->lastInsertId = (int) $id;
	}

	/**
	 * Run a query.
	 *
	 * @param	string	$query			SQL
	 * @param	int		$usesavepoint	1 to run under a savepoint
	 * @param	string	$type			ddl or dml
	 * @param	int		$result_mode	Result mode
	 * @return	false|object			Result set
	 */
	public function query($query, $usesavepoint = 0, $type = 'auto', $result_mode = 0)
	{
		$this->queries[] = array($query, $usesavepoint);
		foreach ($this->handlers as $handler) {
			if (preg_match($handler[0], $query, $matches)) {
				$answer = call_user_func($handler[1], $matches, $query);
				if ($answer === false) {
					$this->lasterror = 'stand-in SQL error';
					return false;
				}
				$result = new stdClass();
				$result->rows = is_array($answer) ? array_values($answer) : array();
				$result->affected = is_int($answer) ? $answer : count($result->rows);
				return $result;
			}
		}
		$this->lasterror = 'no stand-in answer for: '.$query;
		return false;
	}

	/**
	 * Next row as an object.
	 *
	 * @param	object	$resultset	Result set
	 * @return	?object
	 */
	public function fetch_object($resultset)
	{
		$row = array_shift($resultset->rows);
		return $row === null ? null : (object) $row;
	}

	/**
	 * Number of rows.
	 *
	 * @param	object	$resultset	Result set
	 * @return	int
	 */
	public function num_rows($resultset)
	{
		return count($resultset->rows);
	}

	/**
	 * Rows changed by an UPDATE or DELETE.
	 *
	 * @param	object	$resultset	Result set
	 * @return	int
	 */
	public function affected_rows($resultset)
	{
		return $resultset->affected;
	}

	/**
	 * Free a result set.
	 *
	 * @param	?object		$resultset	Result set
	 * @return	void
	 */
	public function free($resultset = null)
	{
	}

	/**
	 * Escape a string for SQL.
	 *
	 * @param	string	$stringtoencode		Text
	 * @return	string
	 */
	public function escape($stringtoencode)
	{
		return addslashes((string) $stringtoencode);
	}

	/**
	 * Format a timestamp for SQL.
	 *
	 * @param	int		$param	Unix time
	 * @param	string	$gm		Time zone mode
	 * @return	string
	 */
	public function idate($param, $gm = 'tzserver')
	{
		return gmdate('Y-m-d H:i:s', (int) $param);
	}

	/**
	 * Read an SQL date as a timestamp.
	 *
	 * @param	string	$string		SQL date
	 * @param	mixed	$gm			Time zone mode
	 * @return	int|string
	 */
	public function jdate($string, $gm = 'tzserver')
	{
		return $string === null || $string === '' ? '' : strtotime($string.' UTC');
	}

	/**
	 * Id of the last insert.
	 *
	 * @param	string	$tab		Table
	 * @param	string	$fieldid	Key column
	 * @return	int
	 */
	public function last_insert_id($tab, $fieldid = 'rowid')
	{
		return $this->lastInsertId;
	}

	/**
	 * Last error text.
	 *
	 * @return	string
	 */
	public function lasterror()
	{
		return $this->lasterror;
	}

	/**
	 * LIMIT clause.
	 *
	 * @param	int		$limit	Rows
	 * @param	int		$offset	Offset
	 * @return	string
	 */
	public function plimit($limit = 0, $offset = 0)
	{
		return $limit ? ' LIMIT '.((int) $limit) : '';
	}

	/**
	 * Start a transaction.
	 *
	 * @param	string	$textinlog	Log text
	 * @return	int
	 */
	public function begin($textinlog = '')
	{
		$this->transaction_opened++;
		return 1;
	}

	/**
	 * Commit.
	 *
	 * @param	string	$log	Log text
	 * @return	int
	 */
	public function commit($log = '')
	{
		$this->transaction_opened = max(0, $this->transaction_opened - 1);
		return 1;
	}

	/**
	 * Roll back.
	 *
	 * @param	string	$log	Log text
	 * @return	int
	 */
	public function rollback($log = '')
	{
		$this->transaction_opened = max(0, $this->transaction_opened - 1);
		return 1;
	}

	/**
	 * Close the connection.
	 *
	 * @return	bool
	 */
	public function close()
	{
		$this->connected = false;
		return true;
	}
}

/**
 * Stand-in of Dolibarr's User: only what triggers read.
 */
class User
{
	/** @var int */
	public $id = 0;

	/** @var string */
	public $login = '';

	/** @var int */
	public $admin = 0;

	/**
	 * Constructor.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
	}
}

/**
 * Stand-in of Dolibarr's Translate.
 */
class Translate
{
	/** @var array<string, string> */
	public $tab_translate = array();

	/**
	 * Constructor.
	 *
	 * @param	string	$dir	Directory of langs
	 * @param	Conf	$conf	Configuration
	 */
	public function __construct($dir, $conf)
	{
	}

	/**
	 * Translate a key; the key itself when unknown.
	 *
	 * @param	string	$key	Key
	 * @return	string
	 */
	public function trans($key)
	{
		return isset($this->tab_translate[$key]) ? $this->tab_translate[$key] : $key;
	}
}

/**
 * Stand-in of Dolibarr's Conf.
 */
class Conf
{
	/** @var int */
	public $entity = 1;
}

/**
 * Stand-in of Dolibarr's MouvementStock: its public properties, as the trigger receives them.
 */
class MouvementStock
{
	/** @var int|string */
	public $id;

	/** @var int|string */
	public $product_id;

	/** @var int|string */
	public $warehouse_id;

	/** @var int|string */
	public $entrepot_id;

	/** @var int|float|string */
	public $qty;

	/** @var int|string */
	public $type;

	/** @var int|string */
	public $datem = '';

	/** @var float|string */
	public $price;

	/** @var ?string */
	public $label;

	/** @var int|string|null */
	public $fk_origin;

	/** @var int|string|null */
	public $origin_id;

	/** @var ?string */
	public $origintype;

	/** @var ?string */
	public $origin_type;

	/** @var mixed The origin object on shipments, a string elsewhere */
	public $origin;

	/** @var ?string */
	public $inventorycode;

	/** @var ?string */
	public $batch;

	/** @var int|string|null */
	public $line_id_object_src;

	/** @var int|string|null */
	public $line_id_object_origin;

	/** @var mixed */
	public $eatby;

	/** @var mixed */
	public $sellby;

	/** @var int|string|null */
	public $fk_project;

	/** @var int|string|null Older name of fk_project */
	public $fk_projet;

	/**
	 * Constructor.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
	}
}
