import { ReactRouterV6PageRouter } from '@backstage/frontend-adapter-react-router-v6';
import { Container } from '@backstage/ui';
import { Route, Routes, useParams } from 'react-router-dom';
import { ChangeRequestView } from './ChangeRequestView';
import { NewChangeRequest } from './NewChangeRequest';

/** The change request pages: `new` (the form, prefilled from the query) and `:id` (one request, live). */
export function ChangeRequestPage() {
  return (
    <ReactRouterV6PageRouter>
      <Container>
        <Routes>
          <Route index element={<NewChangeRequest />} />
          <Route path="new" element={<NewChangeRequest />} />
          <Route path=":id" element={<ChangeRequestRoute />} />
        </Routes>
      </Container>
    </ReactRouterV6PageRouter>
  );
}

function ChangeRequestRoute() {
  const { id } = useParams();
  // A new id is a new request: nothing of the previous one's state may carry over.
  return <ChangeRequestView key={id} id={id!} />;
}
