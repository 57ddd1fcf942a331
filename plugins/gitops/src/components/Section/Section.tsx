import { Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import type { ReactNode } from 'react';

/** A titled card; the title is a heading, so tests and screen readers find a section by its name. */
export function Section(props: {
  title: string;
  subtitle?: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center" gap="3">
          <Flex direction="column" gap="1">
            <Text as="h3" variant="title-small">
              {props.title}
            </Text>
            {props.subtitle && (
              <Text variant="body-small" color="secondary">
                {props.subtitle}
              </Text>
            )}
          </Flex>
          {props.actions}
        </Flex>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="4">
          {props.children}
        </Flex>
      </CardBody>
    </Card>
  );
}
