with source as (
    select * from {{ source('reference', 'calendar_intervals') }}
),

renamed as (
    select
        calendar_id,
        cast(local_date as date) as local_date,
        day_kind,
        cast(start_at as timestamp) as start_at,
        cast(end_at as timestamp) as end_at,
        cast(seconds as bigint) as seconds
    from source
)

select * from renamed
