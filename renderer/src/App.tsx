export function App() {
  return (
    <main>
      <h1>Bulwark</h1>
      <p className="muted">Console</p>
    </main>
  );
}
