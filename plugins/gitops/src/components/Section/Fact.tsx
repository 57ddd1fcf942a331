import { Flex, Text } from '@backstage/ui';
import type { ReactNode } from 'react';

/** A small label over a value, for the summary rows of a page. */
export function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Flex direction="column" gap="1">
      <Text variant="body-x-small" color="secondary">
        {props.label}
      </Text>
      <div>{props.children}</div>
    </Flex>
  );
}
