// What a team would write with Bolt for JavaScript instead of collab-bot, for the benchmark's mix
// only: `/collab help`, and `/collab list DATABASE` answered with the collaborators' table for the
// owner or an accepted collaborator (whose e-mail comes from users.info, cached), in the
// acknowledgement. The data is the embedded sandbox seed's, in memory. Run by slack_bench (part
// `bolt`) against the Slack emulator: SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SLACK_API_URL as for the bot.
const { App, LogLevel } = require('@slack/bolt');

const clientOptions = { slackApiUrl: process.env.SLACK_API_URL };
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.ERROR,
  clientOptions,
  installerOptions: { clientOptions },
});

const databases = {
  'my-dedicated-db': {
    owner: 'user1@example.com',
    collaborators: [
      { email: 'user2@example.com', username: 'user2', status: 'accepted' },
      { email: 'user3@example.com', username: 'n/a', status: 'pending' },
    ],
  },
};

const help = [
  '/collab list DATABASE: the collaborators of a database',
  '/collab add DATABASE EMAIL...: invite collaborators',
  '/collab remove DATABASE EMAIL: remove a collaborator',
].join('\n');

const emails = new Map();
async function emailOf(client, userId) {
  if (!emails.has(userId)) {
    const info = await client.users.info({ user: userId });
    emails.set(userId, info.user.profile.email);
  }
  return emails.get(userId);
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) => `│ ${row.map((cell, column) => cell.padEnd(widths[column])).join(' │ ')} │`;
  return rows.map(line).join('\n');
}

app.command('/collab', async ({ command, ack, client }) => {
  const [verb, name] = command.text.trim().split(/\s+/);
  if (verb !== 'list') {
    await ack({ response_type: 'ephemeral', text: help });
    return;
  }
  const database = databases[name];
  const email = await emailOf(client, command.user_id);
  const allowed =
    database &&
    (database.owner === email || database.collaborators.some((c) => c.email === email && c.status === 'accepted'));
  if (!allowed) {
    await ack({ response_type: 'ephemeral', text: `You are not a collaborator of ${name}.` });
    return;
  }
  const rows = [['EMAIL', 'USERNAME', 'STATUS'], ...database.collaborators.map((c) => [c.email, c.username, c.status])];
  const text = `${name}: owner ${database.owner}\n${table(rows)}`;
  await ack({
    response_type: 'ephemeral',
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '```' + text + '```' } }],
  });
});

app.start();
