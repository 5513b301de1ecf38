// Minimal typing for the `punycode` npm package (it ships none). Import path
// 'punycode/punycode.js' so bundlers never pick Node's deprecated built-in module.
declare module 'punycode/punycode.js' {
  const punycode: {
    toASCII(domain: string): string;
    toUnicode(domain: string): string;
    readonly version: string;
  };
  export default punycode;
}
