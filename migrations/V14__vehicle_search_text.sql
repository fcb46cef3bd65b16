-- TruckIQ schema, version 14: each truck's search text, kept ready.
--
-- The Vehicles search matches what a person knows a truck by ("2016 Kenworth T680", "Cummins X15",
-- its unit, its VIN). Joining and upper-casing those columns on every row, twice per keystroke (the
-- count and the page), cost ~19 ms a pass at 10 000 trucks: most of a keystroke's budget. The text
-- is now written when a truck is, by triggers, so every write path keeps it right, and the search
-- only looks through it. The update trigger writes only when one of its columns really changed,
-- so a sync that rewrites the same values costs nothing more.
ALTER TABLE vehicles ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE vehicles
   SET search_text = upper(concat_ws(' ', model_year, make, model, engine_make, engine_model, unit_number, vin));

CREATE TRIGGER vehicles_search_text_on_insert AFTER INSERT ON vehicles
BEGIN
    UPDATE vehicles
       SET search_text = upper(concat_ws(' ', NEW.model_year, NEW.make, NEW.model, NEW.engine_make,
                                         NEW.engine_model, NEW.unit_number, NEW.vin))
     WHERE id = NEW.id;
END;

CREATE TRIGGER vehicles_search_text_on_update
AFTER UPDATE OF model_year, make, model, engine_make, engine_model, unit_number, vin ON vehicles
WHEN NEW.model_year IS NOT OLD.model_year OR NEW.make IS NOT OLD.make OR NEW.model IS NOT OLD.model
  OR NEW.engine_make IS NOT OLD.engine_make OR NEW.engine_model IS NOT OLD.engine_model
  OR NEW.unit_number IS NOT OLD.unit_number OR NEW.vin IS NOT OLD.vin
BEGIN
    UPDATE vehicles
       SET search_text = upper(concat_ws(' ', NEW.model_year, NEW.make, NEW.model, NEW.engine_make,
                                         NEW.engine_model, NEW.unit_number, NEW.vin))
     WHERE id = NEW.id;
END;
