package sigv4

import (
	"context"
	"net/http"
)

type identityKey struct{}

// Middleware serves next only with requests whose signature verifies; the others get API Gateway's answer (see
// WriteError). next finds the caller with IdentityFrom.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := v.Verify(r)
		if err != nil {
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

// IdentityFrom returns the caller of a request that Middleware verified.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
