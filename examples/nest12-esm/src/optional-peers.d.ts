// @nestjs/graphql 14 and @nestjs/apollo 14 name, in their type declarations, types of optional
// peers this app does not install: ts-morph (for schema-first class generation) and
// @apollo/gateway (for federation gateways). These stand-ins let the compiler check every
// installed package's declarations (skipLibCheck stays off, so that nest-workos-reauth's are
// checked as an adopter's compiler sees them) without installing either.
declare module 'ts-morph' {
  export type ClassDeclarationStructure = unknown;
  export type EnumDeclarationStructure = unknown;
  export type InterfaceDeclarationStructure = unknown;
  export type MethodDeclarationStructure = unknown;
  export type MethodSignatureStructure = unknown;
  export type OptionalKind<T> = T;
  export type ParameterDeclarationStructure = unknown;
  export type PropertyDeclarationStructure = unknown;
  export type PropertySignatureStructure = unknown;
  export type SourceFile = unknown;
  export type TypeAliasDeclarationStructure = unknown;
}

declare module '@apollo/gateway' {
  export type GatewayConfig = unknown;
}
