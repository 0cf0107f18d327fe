-- Versioned administrative units. A code can mean different units over time (28261 was
-- "Phường 1, Thành phố Mỹ Tho", is "Phường Mỹ Tho" since 1 July 2025), so `units` keeps only
-- the codes (what records refer to) and `unit_versions` what each code meant when. Records
-- keep the unit name they had on their own date.

-- +goose Up
CREATE TABLE unit_lists (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    effective_from TEXT NOT NULL,
    in_force_from  TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    department     TEXT NOT NULL DEFAULT '',
    sha256         TEXT NOT NULL DEFAULT '',
    units          INTEGER NOT NULL,
    closed         INTEGER NOT NULL DEFAULT 0,
    added          INTEGER NOT NULL DEFAULT 0,
    imported_at    DATETIME NOT NULL,
    imported_by    TEXT NOT NULL
);

-- valid_from '' = since before the lists held; valid_to '' = still in force (exclusive end).
CREATE TABLE unit_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL REFERENCES units (code),
    name        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_code TEXT NOT NULL DEFAULT '',
    valid_from  TEXT NOT NULL DEFAULT '',
    valid_to    TEXT NOT NULL DEFAULT '',
    successors  TEXT NOT NULL DEFAULT '[]',
    UNIQUE (code, valid_from)
);
CREATE INDEX unit_versions_in_force ON unit_versions (valid_to, code);

-- The units an office database holds before this migration are the March 2025 list.
INSERT INTO unit_versions (code, name, type, level, parent_code)
    SELECT code, name, type, level, parent_code FROM units;
INSERT INTO unit_lists (effective_from, source, department, units, added, imported_at, imported_by)
    SELECT '2025-03-01', 'GSO list as of 01/03/2025, shipped before versioned units', 'Sở Khoa học và Công nghệ',
           COUNT(*), COUNT(*), CURRENT_TIMESTAMP, 'migration'
    FROM units HAVING COUNT(*) > 0;

-- Each record keeps the unit's name (and its place: unit, then parents) as of its date.
ALTER TABLE offices ADD COLUMN unit_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN office_unit_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN residence_commune_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN residence_place TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN card_address TEXT NOT NULL DEFAULT '';
ALTER TABLE permits ADD COLUMN unit_name TEXT NOT NULL DEFAULT '';
ALTER TABLE permits ADD COLUMN unit_place TEXT NOT NULL DEFAULT '';

CREATE TEMP TABLE unit_place AS
    SELECT c.code AS code, c.name AS name,
           c.name || COALESCE(', ' || d.name, '') || COALESCE(', ' || p.name, '') AS place
    FROM units c
    LEFT JOIN units d ON d.code = NULLIF(c.parent_code, '')
    LEFT JOIN units p ON p.code = NULLIF(d.parent_code, '');

UPDATE offices SET unit_name = COALESCE((SELECT name FROM unit_place WHERE code = unit_code), '');
UPDATE applications SET
    office_unit_name       = COALESCE((SELECT name FROM unit_place WHERE code = office_unit_code), ''),
    residence_commune_name = COALESCE((SELECT name FROM unit_place WHERE code = residence_commune_code), ''),
    residence_place        = COALESCE((SELECT place FROM unit_place WHERE code = residence_commune_code), '');
UPDATE permits SET
    unit_name  = COALESCE((SELECT name FROM unit_place WHERE code = permits.unit_code), ''),
    unit_place = COALESCE((SELECT place FROM unit_place WHERE code = permits.unit_code), '');
DROP TABLE unit_place;

DROP INDEX units_parent;
ALTER TABLE units DROP COLUMN name;
ALTER TABLE units DROP COLUMN level;
ALTER TABLE units DROP COLUMN parent_code;
ALTER TABLE units DROP COLUMN type;

-- +goose Down
ALTER TABLE units ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN level TEXT NOT NULL DEFAULT 'commune' CHECK (level IN ('province', 'district', 'commune'));
ALTER TABLE units ADD COLUMN parent_code TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN type TEXT NOT NULL DEFAULT '';
UPDATE units SET (name, level, parent_code, type) = (
    SELECT name, level, parent_code, type FROM unit_versions v
    WHERE v.code = units.code ORDER BY v.valid_to = '' DESC, v.valid_from DESC LIMIT 1);
CREATE INDEX units_parent ON units (parent_code);
ALTER TABLE permits DROP COLUMN unit_place;
ALTER TABLE permits DROP COLUMN unit_name;
ALTER TABLE applications DROP COLUMN card_address;
ALTER TABLE applications DROP COLUMN residence_place;
ALTER TABLE applications DROP COLUMN residence_commune_name;
ALTER TABLE applications DROP COLUMN office_unit_name;
ALTER TABLE offices DROP COLUMN unit_name;
DROP TABLE unit_versions;
DROP TABLE unit_lists;
