/** A refusal main returns to the renderer: a stable code and a message a person can act on. */
export class ConsoleFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ConsoleFailure';
  }
}
