"""The columnar layout of a population, its vectorised validation, and the ``Population``.

A population file holds one situation per row, in the contract's vocabulary:

- **nested** (Parquet): one column per top-level key of a situation (``as_of``, ``target``,
  ``person``, ``insurance``, ``provident_fund``, ``cards``, ``request``); objects are structs,
  lists are lists of structs (``insurance: list<struct<scheme, place, from, to, deemed>>``);
- **flat** (Parquet or CSV): dotted column names for nested scalars (``person.birth_date``,
  ``provident_fund.balance``); list columns (``insurance``, ``person.residence``,
  ``provident_fund.periods``, ``cards``) hold lists of structs (Parquet) or JSON text (CSV).

An optional ``id`` column is carried through to the output. A null cell is an absent key (the
contract: ``null`` is the same as absent); a null list is an unknown list, an empty list is
"none". Places are six-digit strings (or integers), months ``YYYY-MM`` strings, dates ISO
strings or Parquet dates, money decimals, floats or integers (yuan).

``build`` turns an Arrow table in this layout into a ``Population``: a persons frame and one
exploded frame per list, keyed by the person's row index ``_i``, with places as integers, months
as month indexes (``year * 12 + month - 1``) and money as ``Decimal(38, 2)``. It validates every
value with vectorised checks that flag at least every row the situation model would refuse;
flagged rows are then parsed by the situation model itself, which names each problem (or
accepts the row, which is then evaluated by the reference evaluator).
"""

# The package's modules, each importing only those before it: fields (the layout's vocabulary,
# LayoutError) · population (places as integers, Population) · nesting (``nest``) · cells (each
# kind of value converted and checked in columns) · building (``build``) · rows (situations
# given one by one, and back). Every name stays importable from here.
from tongcheng.batch.layout.building import build as build
from tongcheng.batch.layout.fields import DATED_BY as DATED_BY
from tongcheng.batch.layout.fields import ENUMS as ENUMS
from tongcheng.batch.layout.fields import EPOCH as EPOCH
from tongcheng.batch.layout.fields import FUND_FIELDS as FUND_FIELDS
from tongcheng.batch.layout.fields import ID_COLUMNS as ID_COLUMNS
from tongcheng.batch.layout.fields import ITEM_ENUMS as ITEM_ENUMS
from tongcheng.batch.layout.fields import ITEM_KINDS as ITEM_KINDS
from tongcheng.batch.layout.fields import LISTS as LISTS
from tongcheng.batch.layout.fields import MONEY as MONEY
from tongcheng.batch.layout.fields import MONTH_SHIFT as MONTH_SHIFT
from tongcheng.batch.layout.fields import OBJECTS as OBJECTS
from tongcheng.batch.layout.fields import PERSON_FIELDS as PERSON_FIELDS
from tongcheng.batch.layout.fields import REQUEST_FIELDS as REQUEST_FIELDS
from tongcheng.batch.layout.fields import REQUIRED_ITEM_FIELDS as REQUIRED_ITEM_FIELDS
from tongcheng.batch.layout.fields import TOP_FIELDS as TOP_FIELDS
from tongcheng.batch.layout.fields import LayoutError as LayoutError
from tongcheng.batch.layout.nesting import nest as nest
from tongcheng.batch.layout.population import PlaceTables as PlaceTables
from tongcheng.batch.layout.population import Population as Population
from tongcheng.batch.layout.population import lut as lut
from tongcheng.batch.layout.population import place_tables as place_tables
from tongcheng.batch.layout.rows import JSON_SCHEMA as JSON_SCHEMA
from tongcheng.batch.layout.rows import from_situations as from_situations
from tongcheng.batch.layout.rows import plain_rows as plain_rows
from tongcheng.batch.layout.rows import situation_rows as situation_rows
