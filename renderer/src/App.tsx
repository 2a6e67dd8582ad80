import {
  Content,
  Header,
  HeaderGlobalAction,
  HeaderGlobalBar,
  HeaderName,
  OverflowMenu,
  OverflowMenuItem,
  SideNav,
  SideNavItems,
  SideNavLink,
  SkipToContent,
} from '@carbon/react';
import { Add, Asleep, Folders, Light, Password, Report, Settings, Translate } from '@carbon/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { changeLanguage, LANGUAGES } from './i18n';
import { useApi } from './state/api-context';
import { routeHref, useRoute, type Route } from './state/router';
import { useTheme } from './state/theme';
import { JobsPage } from './pages/JobsPage';
import { JobPage } from './pages/JobPage';
import { KeysPage } from './pages/KeysPage';
import { SettingsPage } from './pages/SettingsPage';
import { AuditPage } from './pages/AuditPage';
import { SealedUploadPage } from './pages/SealedUploadPage';
import { NewJobWizard } from './wizard/NewJobWizard';

const NAV: { page: Route['page']; route: Route; labelKey: string; icon: typeof Folders }[] = [
  { page: 'jobs', route: { page: 'jobs' }, labelKey: 'nav.jobs', icon: Folders },
  { page: 'new', route: { page: 'new' }, labelKey: 'nav.newJob', icon: Add },
  { page: 'keys', route: { page: 'keys' }, labelKey: 'nav.keys', icon: Password },
  { page: 'settings', route: { page: 'settings' }, labelKey: 'nav.settings', icon: Settings },
  { page: 'audit', route: { page: 'audit' }, labelKey: 'nav.audit', icon: Report },
];

/** Pages reached from another page (a job, the upload of a sealed image) light up that page's entry. */
function activePage(route: Route): Route['page'] {
  return route.page === 'job' || route.page === 'upload' ? 'jobs' : route.page;
}

export function App() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const route = useRoute();
  const themeState = useTheme();
  const active = activePage(route);
  const navLabel = NAV.find((item) => item.page === active)?.labelKey;

  useEffect(() => {
    document.title = `${navLabel ? t(navLabel) : ''} · ${t('app.name')}`;
  }, [navLabel, t, i18n.language]);

  const dark = themeState.theme === 'g100';
  return (
    <>
      <Header aria-label={t('app.name')}>
        <SkipToContent href="#main-content">{t('app.skipToContent')}</SkipToContent>
        <HeaderName href="#/jobs" prefix="">
          <span className="is-brand">{t('app.name')}</span>
        </HeaderName>
        <span className="is-transport" data-testid="transport">
          {api.transport === 'electron' ? t('app.transportElectron') : t('app.transportWeb')}
        </span>
        <HeaderGlobalBar>
          <OverflowMenu
            renderIcon={() => <Translate size={20} />}
            aria-label={t('language.switcher')}
            iconDescription={t('language.switcher')}
            flipped
            size="lg"
            className="is-language-menu"
            data-testid="language-menu"
          >
            {LANGUAGES.map((language) => (
              <OverflowMenuItem
                key={language.code}
                itemText={language.name}
                lang={language.code}
                data-language={language.code}
                aria-current={i18n.language === language.code ? 'true' : undefined}
                onClick={() => void changeLanguage(language.code)}
              />
            ))}
          </OverflowMenu>
          <HeaderGlobalAction
            aria-label={dark ? t('theme.toggleToLight') : t('theme.toggleToDark')}
            tooltipAlignment="end"
            data-testid="theme-toggle"
            onClick={() => themeState.setPreference(dark ? 'light' : 'dark')}
          >
            {dark ? <Light size={20} /> : <Asleep size={20} />}
          </HeaderGlobalAction>
        </HeaderGlobalBar>
      </Header>
      <SideNav
        aria-label={t('app.mainNavigation')}
        expanded
        isFixedNav
        isPersistent
        isChildOfHeader={false}
        className="is-side-nav"
      >
        <SideNavItems>
          {NAV.map((item) => (
            <SideNavLink
              key={item.page}
              href={routeHref(item.route)}
              renderIcon={item.icon}
              isActive={active === item.page}
              aria-current={active === item.page ? 'page' : undefined}
            >
              {t(item.labelKey)}
            </SideNavLink>
          ))}
        </SideNavItems>
      </SideNav>
      <Content id="main-content" tabIndex={-1} className="is-content">
        <Page route={route} themeState={themeState} />
      </Content>
    </>
  );
}

function Page({ route, themeState }: { route: Route; themeState: ReturnType<typeof useTheme> }) {
  switch (route.page) {
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobPage key={route.jobId} jobId={route.jobId} />;
    case 'new':
      return <NewJobWizard key={route.jobId ?? 'new'} jobId={route.jobId} />;
    case 'upload':
      return <SealedUploadPage />;
    case 'keys':
      return <KeysPage />;
    case 'settings':
      return <SettingsPage themeState={themeState} />;
    case 'audit':
      return <AuditPage />;
  }
}
