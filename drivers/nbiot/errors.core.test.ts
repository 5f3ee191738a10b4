/** NB-IoT errors name the failed AT command, but never the MQTT password it carried (AT+QMTCONN). */
import { test } from '../../test/kit/core-test.js';
import { NbIotError, quoteCommand } from './errors.js';

test('an error about AT+QMTCONN shows the command with its password masked', (t) => {
  const command = 'AT+QMTCONN=0,"gw-17","gw","s3cret-pw"';
  const error = new NbIotError('NBIOT_TIMEOUT', 'no final result within 30000 ms', { command });
  t.false(error.message.includes('s3cret-pw'), error.message);
  t.true(error.message.includes('AT+QMTCONN=0,"gw-17","gw","***"'), error.message);
  t.is(error.command, 'AT+QMTCONN=0,"gw-17","gw","***"');
  t.is(quoteCommand('AT+QMTOPEN=0,"mqtt.example.net",1883'), 'AT+QMTOPEN=0,"mqtt.example.net",1883', 'other commands unchanged');
});
