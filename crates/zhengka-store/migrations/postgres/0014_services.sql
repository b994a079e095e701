-- The verification context's one-card service catalogue: the public services
-- the card opens, by sector and region, each naming the verification purpose
-- a relying party states for it. Keep in step with ../sqlite/0014_services.sql
-- (a test compares the schemas).
CREATE TABLE services (
    code TEXT PRIMARY KEY NOT NULL,
    sector TEXT NOT NULL,
    purpose TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    provider TEXT NOT NULL,
    region_code TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX services_sector_idx ON services (sector, code);
CREATE INDEX services_region_idx ON services (region_code, code);
