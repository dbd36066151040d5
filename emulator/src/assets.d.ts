// esbuild's binary loader turns .mp4 imports into bytes (see emulator/build.ts).
declare module "*.mp4" {
  const bytes: Uint8Array;
  export default bytes;
}
