import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// `findBy…` and `waitFor` give up after 1 s by default; on a loaded two-core machine a first render of a page
// with charts and tables has taken longer. A real failure still fails, after 5 s.
configure({ asyncUtilTimeout: 5_000 });
