import logoUrl from '../../../icons/source.svg';
import { useAlerts, useAppInfo } from '../backend/queries';
import { groupAlerts } from '../lib/alerts';
import { useNow } from '../lib/useNow';
import { PAGES, hrefFor, type PageId } from '../lib/routes';
import { PAGE_ICONS } from './icons';

export function Sidebar({ current }: { current: PageId }) {
  const info = useAppInfo();
  const alerts = useAlerts();
  const now = useNow();
  const unread = alerts.data ? groupAlerts(alerts.data, new Date(now)).unread.length : 0;
  return (
    <aside className="sidebar">
      <div className="brand">
        <img className="brand-logo" src={logoUrl} alt="" width={28} height={28} />
        <div>
          <div className="brand-name">TruckIQ</div>
          <div className="brand-tagline">Fleet diagnostics</div>
        </div>
      </div>
      <nav aria-label="Main" className="nav">
        <ul>
          {PAGES.map(({ id, label }) => {
            const Icon = PAGE_ICONS[id];
            const active = id === current;
            return (
              <li key={id}>
                <a
                  href={hrefFor(id)}
                  className={active ? 'nav-item nav-item-active' : 'nav-item'}
                  aria-current={active ? 'page' : undefined}
                >
                  <Icon />
                  {label}
                  {id === 'alerts' && unread > 0 ? (
                    <span className="nav-count" aria-label={`${unread} unread`}>
                      {unread > 99 ? '99+' : unread}
                    </span>
                  ) : null}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <footer className="sidebar-footer">
        {info.data ? <span title={info.data.dataDir}>Version {info.data.version}</span> : null}
      </footer>
    </aside>
  );
}
