import type { SignalApi } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import { act } from '@testing-library/react';

/** A signals API whose messages the test publishes, as the backend would over the event stream. */
export class MockSignalApi implements SignalApi {
  private readonly listeners = new Map<
    string,
    Set<(message: JsonObject) => void>
  >();

  subscribe<TMessage extends JsonObject = JsonObject>(
    channel: string,
    onMessage: (message: TMessage) => void,
  ) {
    const listener = onMessage as (message: JsonObject) => void;
    const forChannel = this.listeners.get(channel) ?? new Set();
    forChannel.add(listener);
    this.listeners.set(channel, forChannel);
    return { unsubscribe: () => forChannel.delete(listener) };
  }

  publish(channel: string, message: JsonObject) {
    act(() => {
      for (const listener of this.listeners.get(channel) ?? []) {
        listener({ ...message });
      }
    });
  }
}
