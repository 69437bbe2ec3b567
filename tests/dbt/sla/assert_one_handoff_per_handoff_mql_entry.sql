{{ config(meta={'dagster': {'ref': {'name': 'fct_handoffs'}}}) }}
-- docs/definitions.md, "The handoff": a handoff is a lead entering `mql` — its first
-- MQL, or its first after a recycle. Every fct_handoffs row has exactly one such entry
-- in fct_lifecycle_transitions, every such entry has exactly one handoff, and every
-- other entry into `mql` is a re-entry with no recycle since the last handoff.
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

transitions as (

    select * from {{ ref('fct_lifecycle_transitions') }}

),

mql_entries as (

    select * from transitions
    where to_stage = 'mql'

),

handoffs_without_one_entry as (

    select
        handoffs.handoff_id,
        'handoff without exactly one mql entry' as failure

    from handoffs

    left join mql_entries
        on
            handoffs.lead_id = mql_entries.lead_id
            and handoffs.handoff_at = mql_entries.transitioned_at
            and handoffs.handoff_number = mql_entries.handoff_number

    group by handoffs.handoff_id

    having count(mql_entries.transition_id) != 1

),

entries_without_one_handoff as (

    select
        mql_entries.transition_id as handoff_id,
        'handoff mql entry without exactly one handoff' as failure

    from mql_entries

    left join handoffs
        on
            mql_entries.lead_id = handoffs.lead_id
            and mql_entries.transitioned_at = handoffs.handoff_at

    where mql_entries.handoff_number is not null

    group by mql_entries.transition_id

    having count(handoffs.handoff_id) != 1

),

-- an mql entry that opens no handoff must follow a handoff with no recycle since
re_entries as (

    select
        mql_entries.transition_id,
        mql_entries.lead_id,
        mql_entries.transitioned_at,
        max(handoffs.handoff_at) as last_handoff_at

    from mql_entries

    left join handoffs
        on
            mql_entries.lead_id = handoffs.lead_id
            and mql_entries.transitioned_at > handoffs.handoff_at

    where mql_entries.handoff_number is null

    group by
        mql_entries.transition_id,
        mql_entries.lead_id,
        mql_entries.transitioned_at

),

unexplained_re_entries as (

    select
        re_entries.transition_id as handoff_id,
        'mql entry after a recycle without a handoff' as failure

    from re_entries

    where
        re_entries.last_handoff_at is null
        or exists (
            select 1
            from transitions as recycles
            where
                recycles.lead_id = re_entries.lead_id
                and recycles.to_stage = 'recycled'
                and recycles.transitioned_at >= re_entries.last_handoff_at
                and recycles.transitioned_at <= re_entries.transitioned_at
        )

)

select * from handoffs_without_one_entry
union all
select * from entries_without_one_handoff
union all
select * from unexplained_re_entries
