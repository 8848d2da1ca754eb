import { useState } from "react";
import { signIn } from "../api.js";

/** Strict mode: sign in with a service principal's credentials at the server's token endpoint. */
export function SignIn(props: { tenantId?: string; onDone(): void }) {
  const [tenant, setTenant] = useState(props.tenantId ?? "");
  const [client, setClient] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | undefined>();
  return (
    <div className="overlay">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="signin-title"
        onSubmit={(e) => {
          e.preventDefault();
          signIn(tenant.trim(), client.trim(), secret)
            .then(props.onDone)
            .catch((x: Error) => setError(x.message));
        }}
      >
        <h2 id="signin-title">Sign in</h2>
        <p className="muted small">
          This server runs with --auth strict: sign in as a service principal of a tenant (its application ID
          and a client secret). The portal then shows what the principal may read and writes only what its
          roles allow.
        </p>
        <label>
          Tenant ID{" "}
          <input aria-label="Tenant ID" value={tenant} onChange={(e) => setTenant(e.target.value)} required />
        </label>
        <label>
          Client ID{" "}
          <input
            aria-label="Client ID"
            autoFocus
            value={client}
            onChange={(e) => setClient(e.target.value)}
            required
          />
        </label>
        <label>
          Client secret{" "}
          <input
            aria-label="Client secret"
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button className="primary" type="submit">
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}
