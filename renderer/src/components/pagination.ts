import { useTranslation } from 'react-i18next';

/** Carbon's Pagination speaks English unless every text is passed in. */
export function usePaginationTexts() {
  const { t, i18n } = useTranslation();
  const number = (value: number) => new Intl.NumberFormat(i18n.language).format(value);
  return {
    itemsPerPageText: t('common.itemsPerPage'),
    backwardText: t('common.previousPage'),
    forwardText: t('common.nextPage'),
    pageNumberText: t('common.pageNumber'),
    itemRangeText: (min: number, max: number, total: number) =>
      t('common.itemRange', { min: number(min), max: number(max), total: number(total) }),
    pageRangeText: (_current: number, total: number) => t('common.pageRange', { count: total }),
    pageText: (page: number, pagesUnknown?: boolean) => (pagesUnknown ? String(page) : String(page)),
  };
}
