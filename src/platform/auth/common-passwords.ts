/** The most common passwords of at least 8 characters (from public breach corpora), refused outright. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '12345678', '123456789', '1234567890', '12345678910', '123123123', '11111111', '00000000', '87654321',
  '11223344', '12341234', '123456123', '88888888', '99999999', '66666666', '55555555', '12121212', '01234567',
  'password', 'password1', 'password12', 'password123', 'password!', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'qwertyuiop', 'qwerty123', 'qwerty12', 'qwertyui', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', 'zaq12wsx',
  'asdfghjkl', 'asdfasdf', 'zxcvbnm1', 'iloveyou', 'iloveyou1', 'sunshine', 'princess', 'football',
  'baseball', 'welcome1', 'welcome123', 'trustno1', 'superman', 'starwars', 'whatever', 'computer',
  'michelle', 'jennifer', 'corvette', 'mercedes', 'liverpool', 'charlie1', 'letmein1', 'letmein123',
  'changeme', 'changeme123', 'administrator', 'admin123', 'admin1234', 'abc12345', 'abcd1234', 'abcdefgh',
  'aaaaaaaa', 'azertyuiop', 'azerty123', 'motdepasse', 'soleil123', 'bonjour1', 'doudou123', 'chouchou',
  'marseille', 'jetaime1', 'loveyou1', 'master123', 'dragon123', 'monkey123', 'shadow123', 'michael1',
  'football1', 'basketball', 'pokemon1', 'samsung1', 'internet', 'test1234', 'testtest', 'secret123',
  'realisons', 'coulisses',
]);
