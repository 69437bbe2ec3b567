{#-
    Where staging reads each CRM object (README, "Already syncing with Fivetran?";
    docs/fivetran.md). Var `handoff_source`:

    - `files` (the default): the raw table `handoff ingest` wrote, i.e. plain
      `source(crm, object)` (schema `raw`, table `<crm>__<object>`).
    - `fivetran`: the connector's own table, read in place (database, schema and
      table from the vars `<crm>_database`, `<crm>_schema`, `<crm>_<table>_identifier`,
      see the sources' yml), presented with the raw table's columns: each canonical
      column of the contract (macro handoff_contract, generated from
      handoff/contract/) from the table's column of that name, of an alias of it,
      or `property_<name>` (HubSpot), cast to the contract's type; a column the table
      lacks is null. The deletion flag is true when any of its spellings is
      (`_fivetran_deleted`, `is_deleted`, `archived`). Lineage: `_loaded_at` is
      `_fivetran_start` on a history-mode table (each row a version), else
      `_fivetran_synced` (lacking both, the last-modified time, else 1970-01-01);
      `_batch_id` is the constant `fivetran` (on a history-mode table `fivetran
      <_fivetran_start>`: each version a delivery of its own) and `_source_line` 0, so
      versions order by the CRM's last-modified time and then the sync time.
      A table the connector has not synced (a missing `lead_history`) reads as
      empty. HubSpot engagements, deals and form submissions join the connector's
      association tables (`engagement_contact` and the `engagement_<type>` tables,
      `deal_contact`, `form`).

    Returns what a model writes after `from`.
-#}
{% macro handoff_source(crm, object) -%}
    {%- set relation = source(crm, object) -%}
    {%- if var('handoff_source', 'files') != 'fivetran' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set parts = handoff_source_parts(crm, object) -%}
    {%- set spec = handoff_contract()[crm][object] -%}
    {%- set selects = [] -%}
    {%- for column, type in spec['columns'].items() -%}
        {%- set candidates = parts['candidates'].get(column, []) -%}
        {%- set sql_type = handoff_contract_type(type) -%}
        {%- if column == spec['deleted'] and candidates -%}
            {%- set flags = [] -%}
            {%- for expr in candidates -%}
                {%- do flags.append('coalesce(cast(' ~ expr ~ ' as ' ~ dbt.type_boolean() ~ '), false)') -%}
            {%- endfor -%}
            {%- do selects.append('(' ~ flags | join(' or ') ~ ') as ' ~ column) -%}
        {%- elif candidates | length == 1 -%}
            {%- do selects.append('cast(' ~ candidates[0] ~ ' as ' ~ sql_type ~ ') as ' ~ column) -%}
        {%- elif candidates -%}
            {%- set casts = [] -%}
            {%- for expr in candidates -%}
                {%- do casts.append('cast(' ~ expr ~ ' as ' ~ sql_type ~ ')') -%}
            {%- endfor -%}
            {%- do selects.append('coalesce(' ~ casts | join(', ') ~ ') as ' ~ column) -%}
        {%- else -%}
            {%- do selects.append('cast(null as ' ~ sql_type ~ ') as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do selects.append('cast(' ~ parts.get('batch_id', "'fivetran'") ~ ' as '
        ~ dbt.type_string() ~ ') as _batch_id') -%}
    {%- do selects.append("cast('" ~ parts['name'] ~ "' as " ~ dbt.type_string() ~ ") as _source_file") -%}
    {%- do selects.append('cast(0 as ' ~ dbt.type_bigint() ~ ') as _source_line') -%}
    {%- do selects.append('cast(' ~ (parts['loaded_at'] or 'null') ~ ' as ' ~ dbt.type_timestamp() ~ ') as _loaded_at') -%}
    {%- set body -%}
        (
            select
                {{ selects | join(',\n                ') }}
            {%- if parts['exists'] %}
            from {{ parts['from'] }}
            {%- else %}
            -- {{ parts['name'] }} is not synced: no rows
            where 1 = 0
            {%- endif %}
        ) as {{ crm }}__{{ object }}
    {%- endset -%}
    {{ return(body) }}
{%- endmacro %}


{#- 1970-01-01, the version time of a table without one. -#}
{% macro handoff_epoch() -%}
    {{ return("cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- The SQL type of a contract type (handoff/contract/objects.yml). -#}
{% macro handoff_contract_type(type) -%}
    {%- if type in ('id', 'text') -%} {{ return(dbt.type_string()) }}
    {%- elif type == 'timestamp' -%} {{ return(dbt.type_timestamp()) }}
    {%- elif type == 'date' -%} {{ return('date') }}
    {%- elif type == 'boolean' -%} {{ return(dbt.type_boolean()) }}
    {%- elif type == 'integer' -%} {{ return(dbt.type_bigint()) }}
    {%- else -%} {{ return(type_double()) }}
    {%- endif -%}
{%- endmacro %}


{#- The canonical column a connector column name stands for: the name itself when it
    is a contract column, else its alias, else (HubSpot) the name without `property_`
    (then through the aliases), else the name. The same rule as ObjectSpec.canonical
    in handoff/contract/__init__.py; the names are a connector's snake_case. -#}
{% macro handoff_canonical(crm, spec, name) -%}
    {%- set norm = name | lower | trim('_') -%}
    {%- if norm in spec['columns'] -%} {{ return(norm) }}
    {%- elif norm in spec['aliases'] -%} {{ return(spec['aliases'][norm]) }}
    {%- elif crm == 'hubspot' and norm.startswith('property_') -%}
        {%- set stripped = norm[9:] -%}
        {{ return(spec['aliases'].get(stripped, stripped)) }}
    {%- else -%} {{ return(norm) }}
    {%- endif -%}
{%- endmacro %}


{#- The relation of the connector table `table` of `crm` (vars `<crm>_database`,
    `<crm>_schema`, `<crm>_<table>_identifier`, as in the sources' yml), or none when
    it does not exist. -#}
{% macro handoff_connector_relation(crm, table) -%}
    {{ return(adapter.get_relation(
        database=var(crm ~ '_database', target.database),
        schema=var(crm ~ '_schema', crm),
        identifier=var(crm ~ '_' ~ table ~ '_identifier', table))) }}
{%- endmacro %}


{#- The lower-cased column names of a relation, each with its quoted spelling. -#}
{% macro handoff_columns_of(relation) -%}
    {%- set out = {} -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do out.update({column.name | lower: adapter.quote(column.name)}) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}


{#-
    How source mode reads one object: `exists` (whether the connector table is
    there), `name` (schema.table, for messages), `from` (the from clause: the table
    as `base`, joined to its association tables), `candidates` (canonical column →
    the expressions that may hold it, best first) and `loaded_at` (the version-time
    expression, or none).
-#}
{% macro handoff_source_parts(crm, object) -%}
    {%- set spec = handoff_contract()[crm][object] -%}
    {%- set relation = handoff_connector_relation(crm, spec['table']) -%}
    {%- set name = var(crm ~ '_schema', crm) ~ '.'
        ~ var(crm ~ '_' ~ spec['table'] ~ '_identifier', spec['table']) -%}
    {%- if relation is none -%}
        {{ return({'exists': false, 'name': name, 'from': none, 'candidates': {}, 'loaded_at': none}) }}
    {%- endif -%}
    {%- set columns = handoff_columns_of(relation) -%}
    {%- set candidates = {} -%}
    {#- three passes, so an exact name comes before an alias, and an alias before a
        property_ spelling -#}
    {%- for pass in ['exact', 'alias', 'prefixed'] -%}
        {%- for norm, quoted in columns.items() -%}
            {%- set bare = norm | trim('_') -%}
            {%- set kind = 'exact' if bare in spec['columns'] else (
                'alias' if bare in spec['aliases'] else 'prefixed') -%}
            {%- if kind == pass -%}
                {%- set canonical = handoff_canonical(crm, spec, norm) -%}
                {%- if canonical in spec['columns'] -%}
                    {%- do candidates.setdefault(canonical, []).append('base.' ~ quoted) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set loaded_at = none -%}
    {%- set batch_id = "'fivetran'" -%}
    {%- if '_fivetran_start' in columns -%}
        {#- a history-mode table: each row is a version, valid from _fivetran_start,
            and a delivery of its own (the *_versions models keep one copy per batch) -#}
        {%- set loaded_at = 'base.' ~ columns['_fivetran_start'] -%}
        {%- set batch_id = dbt.concat(["'fivetran '", 'cast(' ~ loaded_at ~ ' as ' ~ dbt.type_string() ~ ')']) -%}
        {%- if spec['updated'] and spec['updated'] not in candidates -%}
            {%- do candidates.update({spec['updated']: [loaded_at]}) -%}
        {%- endif -%}
    {%- elif '_fivetran_synced' in columns -%}
        {%- set loaded_at = 'base.' ~ columns['_fivetran_synced'] -%}
    {%- elif spec['updated'] in candidates -%}
        {#- a table without the connector's sync time: its last-modified time -#}
        {%- set loaded_at = 'coalesce(cast(' ~ candidates[spec['updated']][0] ~ ' as '
            ~ dbt.type_timestamp() ~ '), ' ~ handoff_epoch() ~ ')' -%}
    {%- else -%}
        {%- set loaded_at = handoff_epoch() -%}
    {%- endif -%}
    {%- set joins = [] -%}
    {%- set key = (candidates.get(spec['key'][0]) or ['null'])[0] -%}
    {%- set form_id = (candidates.get('form_id') or ['null'])[0] -%}
    {%- if crm == 'hubspot' and object in ('engagements', 'deals') -%}
        {%- set link = 'engagement' if object == 'engagements' else 'deal' -%}
        {%- set association = handoff_connector_relation('hubspot', link ~ '_contact') -%}
        {%- if association is not none -%}
            {%- set ids = dbt.listagg(
                'cast(contact_id as ' ~ dbt.type_string() ~ ')', "';'",
                none if target.type == 'spark'
                else 'order by cast(contact_id as ' ~ dbt.type_string() ~ ')') -%}
            {%- do joins.append(
                'left join (select cast(' ~ link ~ '_id as ' ~ dbt.type_string() ~ ') as parent_id, '
                ~ ids ~ ' as contact_ids from ' ~ association ~ ' group by cast('
                ~ link ~ '_id as ' ~ dbt.type_string() ~ ')) as contacts on contacts.parent_id = cast('
                ~ key ~ ' as ' ~ dbt.type_string() ~ ')') -%}
            {%- do candidates.setdefault('contact_ids', []).append('contacts.contact_ids') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if crm == 'hubspot' and object == 'engagements' -%}
        {#- newer connector schemas keep each type's properties in engagement_<type> -#}
        {%- set wanted = {
            'hs_timestamp': 'timestamp', 'hubspot_owner_id': 'text',
            'hs_createdate': 'timestamp', 'hs_lastmodifieddate': 'timestamp',
            'hs_task_status': 'text'} -%}
        {%- set parts_sql = [] -%}
        {%- for kind in ['call', 'email', 'meeting', 'note', 'task'] -%}
            {%- set typed = handoff_connector_relation('hubspot', 'engagement_' ~ kind) -%}
            {%- if typed is not none -%}
                {%- set typed_columns = handoff_columns_of(typed) -%}
                {%- set fields = ['cast(engagement_id as ' ~ dbt.type_string() ~ ') as engagement_id'] -%}
                {%- for column, type in wanted.items() -%}
                    {%- set physical = typed_columns.get('property_' ~ column) -%}
                    {%- do fields.append('cast(' ~ (physical or 'null') ~ ' as '
                        ~ handoff_contract_type(type) ~ ') as ' ~ column) -%}
                {%- endfor -%}
                {%- set deleted = typed_columns.get('_fivetran_deleted') -%}
                {%- do fields.append('cast(' ~ (deleted or 'null') ~ ' as '
                    ~ dbt.type_boolean() ~ ') as archived') -%}
                {%- do parts_sql.append('select ' ~ fields | join(', ') ~ ' from ' ~ typed) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if parts_sql -%}
            {%- do joins.append('left join (' ~ parts_sql | join(' union all ')
                ~ ') as typed on typed.engagement_id = cast(' ~ key ~ ' as '
                ~ dbt.type_string() ~ ')') -%}
            {%- for column in wanted.keys() | list + ['archived'] -%}
                {%- do candidates.setdefault(column, []).append('typed.' ~ column) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if crm == 'hubspot' and object == 'form_submissions' -%}
        {%- set form = handoff_connector_relation('hubspot', 'form') -%}
        {%- if form is not none -%}
            {%- do joins.append('left join ' ~ form ~ ' as form on cast(form.guid as '
                ~ dbt.type_string() ~ ') = cast(' ~ form_id ~ ' as ' ~ dbt.type_string() ~ ')') -%}
            {%- do candidates.setdefault('form_title', []).append('form.name') -%}
        {%- endif -%}
    {%- endif -%}
    {{ return({
        'exists': true, 'name': name,
        'from': relation ~ ' as base ' ~ joins | join(' '),
        'candidates': candidates, 'loaded_at': loaded_at, 'batch_id': batch_id}) }}
{%- endmacro %}


{#-
    The source contract of source mode, checked before any model builds (the
    project's on-run-start hook): each synced connector table must carry the
    object's required columns. The first problem stops the run with one sentence
    naming table and column. A CRM whose main table (HubSpot `contact`, Salesforce
    `lead`) does not exist reads as empty (logged); when no enabled CRM's does, the
    schemas are wrong and the run stops. Does nothing in files mode.
-#}
{% macro handoff_check_source() -%}
    {%- set mode = var('handoff_source', 'files') -%}
    {%- if mode not in ('files', 'fivetran') -%}
        {{ exceptions.raise_compiler_error(
            "var handoff_source is " ~ mode ~ ": it must be files or fivetran.") }}
    {%- endif -%}
    {%- if execute and mode == 'fivetran' -%}
        {%- set contract = handoff_contract() -%}
        {%- set missing = [] -%}
        {%- set enabled = [] -%}
        {%- for crm in ['hubspot', 'salesforce'] if var(crm ~ '_enabled', true) -%}
            {%- do enabled.append(crm) -%}
            {%- for object, spec in contract[crm].items() -%}
                {%- set parts = handoff_source_parts(crm, object) -%}
                {%- if not parts['exists'] and object in ('contacts', 'lead') -%}
                    {%- do missing.append(parts['name']) -%}
                {%- endif -%}
                {%- if parts['exists'] -%}
                    {%- for column in spec['required'] -%}
                        {%- if column not in parts['candidates'] -%}
                            {%- set spellings = [] -%}
                            {%- for alias, target in spec['aliases'].items() if target == column -%}
                                {%- do spellings.append(alias) -%}
                            {%- endfor -%}
                            {%- if crm == 'hubspot' -%}
                                {%- do spellings.append('property_' ~ column) -%}
                            {%- endif -%}
                            {%- set also = (' (or ' ~ spellings[:3] | join(', ') ~ ')')
                                if spellings else '' -%}
                            {{ exceptions.raise_compiler_error(
                                "Source table " ~ parts['name'] ~ " lacks required column "
                                ~ column ~ also ~ ".") }}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {#- one CRM not synced reads as empty (a company on one CRM); none at all is
            a wrong schema -#}
        {%- if missing and missing | length == enabled | length -%}
            {{ exceptions.raise_compiler_error(
                "Source table" ~ ("s " if missing | length > 1 else " ")
                ~ missing | join(' and ') ~ (" do" if missing | length > 1 else " does")
                ~ " not exist: set the vars hubspot_schema / salesforce_schema "
                ~ "(HANDOFF_HUBSPOT_SCHEMA / HANDOFF_SALESFORCE_SCHEMA) to where the "
                ~ "connector writes, or hubspot_enabled / salesforce_enabled: false.") }}
        {%- endif -%}
        {%- for name in missing -%}
            {%- do log("source fivetran: " ~ name ~ " does not exist; its CRM reads as empty", info=true) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
