// Routes declare who may call them (`config.access`), as the lead's convention says; the central check comes from
// the 'access' work. DELETE this file when that lands with its own declaration of `FastifyContextConfig.access`.
export type Access = 'public' | 'webhook' | 'applicant' | 'staff' | 'case:party' | 'case:applicant' | 'case:staff' | 'role:supervisor' | 'role:operator' | 'role:budget_office';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}
