/**
 * Destinations: finding URLs, hosts and IPs in command text, normalising them, and matching
 * them against blocked-destination rules and allowlists. Pure TypeScript (no Node/DOM).
 */
export { extractDestinations, type ExtractOptions } from './extract';
export { findDestinations, destinationFindings, type FindDestinationsOptions } from './findings';
export {
  parseDestinationRule,
  matchDestinationRule,
  DESTINATION_RULE_KINDS,
  type ParsedDestinationRule,
  type DestinationLike,
} from './rules';
export {
  checkDestinationValue,
  checkEmailDomain,
  parseDestinationValue,
  isDestinationAllowed,
  destinationsNotAllowed,
  isLocalDestination,
  type DestinationCheck,
} from './check';
export { normalizeHost, isPlausibleBareDomain, type HostInfo } from './host';
export { parseUrl, URL_SCHEMES } from './url';
export { parseIp, parseIPv4, parseIPv6, formatIp, cidrContains, type Ip, type Cidr } from './ip';
export { bareDestination, NETWORK_COMMANDS } from './bare';
