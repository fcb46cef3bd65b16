//! What the app was started with. Login starts it with `--hidden` (tray only, the scheduler
//! running); a `truckiq://vehicle/{vin}` link in an e-mail or chat message starts it, or hands over
//! to the running app, with the link as its one argument.

/// The argument the start-at-login entry passes.
pub const HIDDEN: &str = "--hidden";

/// The URL scheme registered in the packages (`plugins.deep-link` in tauri.conf.json).
pub const SCHEME: &str = "truckiq";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Launch {
    /// Start in the tray with no window.
    pub hidden: bool,
    /// The truck a link asked for, by VIN (upper case).
    pub vehicle_vin: Option<String>,
}

/// Reads the arguments after the program name. Anything else is ignored: a desktop environment may
/// add its own (`%U` left empty, session arguments), and a stray one must not stop the app starting.
pub fn parse<I, S>(args: I) -> Launch
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut launch = Launch::default();
    for arg in args {
        let arg = arg.as_ref();
        if arg == HIDDEN {
            launch.hidden = true;
        } else if let Some(vin) = vehicle_link(arg) {
            launch.vehicle_vin = Some(vin);
        }
    }
    launch
}

/// The VIN in `truckiq://vehicle/{vin}` (a trailing slash, a query or a fragment allowed), if the
/// link is one and the VIN has a VIN's shape: 17 letters and digits without I, O or Q.
fn vehicle_link(arg: &str) -> Option<String> {
    let rest = arg.strip_prefix(SCHEME)?.strip_prefix("://")?;
    let (host, path) = rest.split_once('/')?;
    if !host.eq_ignore_ascii_case("vehicle") {
        return None;
    }
    let vin = path.split(['/', '?', '#']).next()?.to_ascii_uppercase();
    let shaped = vin.len() == 17 && vin.bytes().all(|b| b.is_ascii_alphanumeric() && !b"IOQ".contains(&b));
    shaped.then_some(vin)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIN: &str = "1XKYD49X0NJ123456";

    #[test]
    fn hidden_and_a_vehicle_link_are_read_and_other_arguments_ignored() {
        assert_eq!(parse::<[&str; 0], &str>([]), Launch::default());
        assert_eq!(parse(["--hidden"]), Launch { hidden: true, vehicle_vin: None });
        let link = format!("truckiq://vehicle/{VIN}");
        assert_eq!(parse(["--some-session-flag", link.as_str()]).vehicle_vin.as_deref(), Some(VIN));
    }

    #[test]
    fn a_vehicle_link_tolerates_case_a_trailing_slash_and_a_query() {
        for link in [
            format!("truckiq://vehicle/{}", VIN.to_lowercase()),
            format!("truckiq://Vehicle/{VIN}/"),
            format!("truckiq://vehicle/{VIN}?from=mail"),
            format!("truckiq://vehicle/{VIN}#faults"),
        ] {
            assert_eq!(vehicle_link(&link).as_deref(), Some(VIN), "{link}");
        }
    }

    #[test]
    fn links_that_are_not_a_truck_are_refused() {
        for link in [
            "truckiq://vehicle/".to_owned(),
            "truckiq://vehicle/1XKYD49X0NJ12345".to_owned(), // 16 characters
            "truckiq://vehicle/1XKYD49X0NJ12345O".to_owned(), // O is never in a VIN
            "truckiq://vehicle/1XKYD49X0NJ1234%6".to_owned(), // not a letter or digit
            format!("truckiq://account/{VIN}"),
            format!("https://vehicle/{VIN}"),
            format!("truckiq:vehicle/{VIN}"),
        ] {
            assert_eq!(vehicle_link(&link), None, "{link}");
        }
    }
}
