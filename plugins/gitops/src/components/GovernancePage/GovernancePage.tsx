import { ReactRouterV6PageRouter } from '@backstage/frontend-adapter-react-router-v6';
import { Container, Flex, Header } from '@backstage/ui';
import type { ReactNode } from 'react';
import { AuditLog } from '../AuditLog';
import { DeliveryMetrics, DriftOverTime } from '../DeliveryMetrics';
import { Section } from '../Section/Section';
import { FleetTable } from './FleetTable';

/**
 * The governance page: the fleet across owners and environments, then delivery metrics, drift over time and
 * the audit log. `children` are further sections that extensions or a legacy app put below those.
 */
export function GovernancePage(props: { children?: ReactNode }) {
  return (
    <ReactRouterV6PageRouter>
      <Container>
        <Flex direction="column" gap="4">
          <Header title="GitOps governance" />
          <Section
            title="Fleet"
            subtitle="Every application whose entity you may read, with its sync, health, drift and open change requests."
          >
            <FleetTable />
          </Section>
          <DeliveryMetrics />
          <DriftOverTime />
          <AuditLog />
          {props.children}
        </Flex>
      </Container>
    </ReactRouterV6PageRouter>
  );
}
