// Types for the `disposablestack` polyfill's pure implementations (the
// package ships none): the spec's classes, not installed globally. Used by
// the exit-stack benchmark and by exit-stack.test.ts on Node 20.
declare module "disposablestack/AsyncDisposableStack/implementation" {
  const Polyfill: new () => AsyncDisposableStack;
  export default Polyfill;
}
declare module "disposablestack/DisposableStack/implementation" {
  const Polyfill: new () => DisposableStack;
  export default Polyfill;
}
