import logoUrl from '../../../icons/source.svg';
import { useAppInfo } from '../backend/queries';
import { PAGES, hrefFor, type PageId } from '../lib/routes';
import { PAGE_ICONS } from './icons';

export function Sidebar({ current }: { current: PageId }) {
  const info = useAppInfo();
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
