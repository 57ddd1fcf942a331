import { Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import type { ReactNode } from 'react';

/** One DORA figure: its name, its value over the range, what it is made of, and its trend. */
export function DoraCard(props: {
  title: string;
  value: string;
  details: string[];
  chart: ReactNode;
}) {
  return (
    <Card aria-label={props.title}>
      <CardHeader>
        <Text as="h4" variant="body-medium" weight="bold">
          {props.title}
        </Text>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="2">
          <Text as="p" variant="title-medium">
            {props.value}
          </Text>
          {props.details.map(detail => (
            <Text key={detail} as="p" variant="body-small" color="secondary">
              {detail}
            </Text>
          ))}
          {props.chart}
        </Flex>
      </CardBody>
    </Card>
  );
}
