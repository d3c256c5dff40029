import { ReauthInternalError } from './internal-error';

class ExampleError extends ReauthInternalError {
  readonly code = 'example';
}

describe('ReauthInternalError', () => {
  it('names errors after their class and keeps message and code', () => {
    const error = new ExampleError('something failed');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ExampleError');
    expect(error.message).toBe('something failed');
    expect(error.code).toBe('example');
    expect(String(error)).toBe('ExampleError: something failed');
  });

  it('keeps the cause', () => {
    const cause = new Error('lower level');
    expect(new ExampleError('wrapped', { cause }).cause).toBe(cause);
  });

  it('has no cause unless given one', () => {
    expect(new ExampleError('plain')).not.toHaveProperty('cause');
  });
});
