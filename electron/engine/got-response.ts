import type { PlainResponse, Request } from 'got';

/** Resolves with the response head of a got stream, or rejects with what went wrong before it. */
export function awaitResponse(request: Request): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: PlainResponse) => {
      request.off('error', onError);
      resolve(response);
    };
    const onError = (error: unknown) => {
      request.off('response', onResponse);
      reject(error);
    };
    request.once('response', onResponse);
    request.once('error', onError);
  });
}
